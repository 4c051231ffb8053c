package dev.servercore;

import dev.servercore.dummyclient.DummyClient;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

@SpringBootApplication
@ConfigurationPropertiesScan
public class ServerCoreApplication {

    public static void main(String[] args) {
        ConfigurableApplicationContext context = SpringApplication.run(ServerCoreApplication.class, args);
        // A dummy client that is not continuous has finished its run by now: its exit code is the verdict.
        context.getBeanProvider(DummyClient.class).ifAvailable(client -> {
            if (!client.isContinuous()) {
                System.exit(SpringApplication.exit(context));
            }
        });
    }
}
