package dev.servercore.core;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that read and write sockets. Spring Integration's blocking (Net) connections give each
 * connection a reading thread, which keeps a session's reads strictly in order. On Java 21+ those are
 * virtual threads, so ten thousand idle sessions cost ten thousand small heap objects, not ten thousand
 * stacks; on Java 17 a cached pool of platform threads. The build targets Java 17, hence the reflection.
 */
public final class IoThreads {

    private IoThreads() {
    }

    public static boolean virtualThreadsAvailable() {
        return virtualThreadFactoryMethod() != null;
    }

    /** A new executor that starts a thread per task: virtual on Java 21+, pooled platform threads before. */
    public static ExecutorService newExecutor(String namePrefix) {
        Method ofVirtual = virtualThreadFactoryMethod();
        if (ofVirtual != null) {
            try {
                Class<?> builderType = Class.forName("java.lang.Thread$Builder");
                Object builder = builderType.getMethod("name", String.class, long.class)
                        .invoke(ofVirtual.invoke(null), namePrefix, 0L);
                ThreadFactory factory = (ThreadFactory) builderType.getMethod("factory").invoke(builder);
                return (ExecutorService) Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class)
                        .invoke(null, factory);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Java 21+ virtual threads could not be created", e);
            }
        }
        AtomicInteger count = new AtomicInteger();
        return Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, namePrefix + count.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
    }

    private static Method virtualThreadFactoryMethod() {
        try {
            return Thread.class.getMethod("ofVirtual");
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
