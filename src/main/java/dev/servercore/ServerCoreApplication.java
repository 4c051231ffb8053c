package dev.servercore;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class ServerCoreApplication {

    /** A dummy client run that is not continuous ends the process itself, with its verdict (DummyClient). */
    public static void main(String[] args) {
        SpringApplication.run(ServerCoreApplication.class, args);
    }
}
