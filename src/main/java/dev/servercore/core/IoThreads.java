package dev.servercore.core;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for blocking work the engine keeps off its event loops: a connector's connects, which wait up
 * to the connect timeout. On Java 21+ a virtual thread per connect; on Java 17 a cached pool of platform
 * threads. The build targets Java 17, hence the reflection.
 */
public final class IoThreads {

    private static final Duration PLATFORM_THREAD_KEEP_ALIVE = Duration.ofSeconds(5);

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
        // A cached pool, but idle threads go after a few seconds rather than a minute: once a crowd of
        // clients has left, its threads should not outstay it.
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, PLATFORM_THREAD_KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS,
                new SynchronousQueue<>(), task -> {
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
