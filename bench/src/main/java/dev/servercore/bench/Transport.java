package dev.servercore.bench;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringSocketChannel;

/**
 * Netty transports. The reference server uses epoll when the native transport loads, NIO otherwise (or
 * with -Dbench.nio=true). The load generator prefers io_uring, which batches its submissions (one system
 * call per loop iteration rather than one per read and per write), so that it takes less CPU per echo
 * than the servers it drives; -Dbench.generator.transport=epoll|nio chooses another.
 */
final class Transport {

    enum Kind {
        IO_URING, EPOLL, NIO
    }

    static final Kind SERVER = !Boolean.getBoolean("bench.nio") && Epoll.isAvailable() ? Kind.EPOLL : Kind.NIO;
    static final Kind GENERATOR = generatorKind();

    private Transport() {
    }

    private static Kind generatorKind() {
        String chosen = System.getProperty("bench.generator.transport", "");
        if (!chosen.isEmpty()) {
            return Kind.valueOf(chosen.toUpperCase(java.util.Locale.ROOT));
        }
        if (IoUring.isAvailable()) {
            return Kind.IO_URING;
        }
        return SERVER;
    }

    static String name(Kind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    static MultiThreadIoEventLoopGroup group(Kind kind, int threads) {
        IoHandlerFactory factory = switch (kind) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
        return new MultiThreadIoEventLoopGroup(threads, factory);
    }

    static Class<? extends ServerChannel> serverChannel() {
        return SERVER == Kind.EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Class<? extends SocketChannel> clientChannel(Kind kind) {
        return switch (kind) {
            case IO_URING -> IoUringSocketChannel.class;
            case EPOLL -> EpollSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
    }
}
