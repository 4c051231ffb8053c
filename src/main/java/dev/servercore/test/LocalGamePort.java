package dev.servercore.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.beans.factory.annotation.Value;

/**
 * The port the game listener is bound to, as Boot's {@code @LocalServerPort} is for HTTP: inject it into a field
 * or parameter of a {@code @SpringBootTest} run with {@code servercore.listener.port=0}. The engine publishes it
 * as {@value #PROPERTY} once the listener is bound.
 */
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Value("${" + LocalGamePort.PROPERTY + "}")
public @interface LocalGamePort {

    /** The property the bound port is published as. */
    String PROPERTY = "local.servercore.listener.port";
}
