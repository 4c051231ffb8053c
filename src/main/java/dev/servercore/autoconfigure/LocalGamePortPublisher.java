package dev.servercore.autoconfigure;

import java.util.HashMap;
import java.util.Map;

import dev.servercore.core.Listener;
import dev.servercore.test.LocalGamePort;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ApplicationContextEvent;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.event.ContextStartedEvent;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * Publishes the game listener's bound port as {@code local.servercore.listener.port} in the environment (property
 * source {@value #SOURCE}), as Boot publishes {@code local.server.port}: once the context has started its
 * lifecycle beans, so the real port of {@code servercore.listener.port=0} is known. {@link LocalGamePort} reads it.
 */
public class LocalGamePortPublisher implements ApplicationListener<ApplicationContextEvent>, ApplicationContextAware {

    /** The name of the property source that holds it. */
    public static final String SOURCE = "servercore.local";

    private final Listener listener;
    private ApplicationContext context;

    public LocalGamePortPublisher(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void setApplicationContext(ApplicationContext context) {
        this.context = context;
    }

    @Override
    public void onApplicationEvent(ApplicationContextEvent event) {
        boolean startedHere = event.getApplicationContext() == context
                && (event instanceof ContextRefreshedEvent || event instanceof ContextStartedEvent);
        if (startedHere && listener.isRunning() && context instanceof ConfigurableApplicationContext configurable) {
            publish(configurable.getEnvironment(), listener.port());
        }
    }

    @SuppressWarnings("unchecked")
    static void publish(ConfigurableEnvironment environment, int port) {
        MutablePropertySources sources = environment.getPropertySources();
        PropertySource<?> source = sources.get(SOURCE);
        if (source == null) {
            sources.addFirst(new MapPropertySource(SOURCE, new HashMap<>(Map.of(LocalGamePort.PROPERTY, port))));
        } else {
            ((Map<String, Object>) source.getSource()).put(LocalGamePort.PROPERTY, port);
        }
    }
}
