package dev.servercore;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;
import sun.misc.Signal;

@SpringBootApplication
@ConfigurationPropertiesScan
public class ServerCoreApplication {

    public static void main(String[] args) {
        ConfigurableApplicationContext context = SpringApplication.run(ServerCoreApplication.class, args);
        exitCleanlyOnTerm(context);
    }

    /**
     * SIGTERM (docker stop, kill) closes the context the graceful way, as the shutdown hook would, but
     * then exits with the application's own code (0) rather than the JVM's 143 for a signal.
     */
    private static void exitCleanlyOnTerm(ConfigurableApplicationContext context) {
        Signal.handle(new Signal("TERM"), signal -> System.exit(SpringApplication.exit(context)));
    }
}
