package dev.servercore.game;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.MethodIntrospector;
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

    @Override
    public void afterSingletonsInstantiated() {
        Map<Class<?>, PacketCodec<?>> codecs = new HashMap<>();
        for (PacketCodec<?> codec : beans.getBeansOfType(PacketCodec.class).values()) {
            PacketCodec<?> other = codecs.put(codec.type(), codec);
            if (other != null) {
                throw new IllegalStateException("Two PacketCodec beans decode " + codec.type().getName() + ": " + other
                        + " and " + codec);
            }
        }
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
                handlers.add(bean, method, AopUtils.selectInvocableMethod(method, bean.getClass()), codecs);
            }
        }
    }
}
