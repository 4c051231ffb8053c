package dev.servercore.game;

import java.lang.reflect.Method;
import java.util.Map;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

/**
 * Finds the {@link PacketHandler} methods of every singleton bean once they are all made (as Spring's
 * {@code @EventListener} processing does) and fills the {@link PacketHandlers} table, before any
 * listener starts.
 */
public final class PacketHandlerRegistrar implements SmartInitializingSingleton {

    private final ListableBeanFactory beans;
    private final PacketHandlers handlers;

    public PacketHandlerRegistrar(ListableBeanFactory beans, PacketHandlers handlers) {
        this.beans = beans;
        this.handlers = handlers;
    }

    /** A {@link RateLimit} value, its placeholders resolved. */
    private double number(String value, Method method, String attribute) {
        String resolved = beans instanceof ConfigurableBeanFactory configurable
                ? configurable.resolveEmbeddedValue(value) : value;
        try {
            return Double.parseDouble(resolved.trim());
        } catch (RuntimeException e) {
            throw new IllegalStateException("@RateLimit(" + attribute + " = \"" + value + "\") on "
                    + method.getDeclaringClass().getName() + "." + method.getName() + " is not a number: " + resolved);
        }
    }

    /** The application's {@code PacketType<T>} bean for {@code type}, or null. */
    private PacketType<?> packetTypeBean(Class<?> type) {
        String[] names = beans.getBeanNamesForType(ResolvableType.forClassWithGenerics(PacketType.class, type));
        if (names.length > 1) {
            throw new IllegalStateException("Two PacketType beans for " + type.getName() + ": "
                    + String.join(", ", names));
        }
        return names.length == 0 ? null : beans.getBean(names[0], PacketType.class);
    }

    @Override
    public void afterSingletonsInstantiated() {
        PacketTypes types = new PacketTypes(this::packetTypeBean);
        for (String name : beans.getBeanNamesForType(Object.class, false, false)) {
            Class<?> type = beans.getType(name, false);
            if (type == null) {
                continue;
            }
            Class<?> userType = ClassUtils.getUserClass(type);
            Map<Method, PacketHandler> annotated = MethodIntrospector.selectMethods(userType,
                    (MethodIntrospector.MetadataLookup<PacketHandler>) method -> AnnotatedElementUtils
                            .findMergedAnnotation(method, PacketHandler.class));
            if (annotated.isEmpty()) {
                continue;
            }
            Object bean = beans.getBean(name);
            for (Method method : annotated.keySet()) {
                RateLimit limit = AnnotatedElementUtils.findMergedAnnotation(method, RateLimit.class);
                double perSecond = limit == null ? 0 : number(limit.perSecond(), method, "perSecond");
                long burst = limit == null ? 0 : limit.burst().isBlank() ? Math.max(1, (long) Math.ceil(perSecond))
                        : (long) number(limit.burst(), method, "burst");
                handlers.add(bean, method, AopUtils.selectInvocableMethod(method, bean.getClass()), types,
                        perSecond, burst);
            }
        }
    }
}
