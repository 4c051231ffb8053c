package dev.servercore.bench;

import dev.servercore.core.Frames;
import dev.servercore.protocol.ChatMessage;
import dev.servercore.protocol.ChatRequest;
import dev.servercore.protocol.Echo;
import dev.servercore.protocol.Welcome;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelMatchers;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Minimal Netty 4.2 server speaking protocol v1: the yardstick our server is compared with.
 *
 * <p>Per connection: a little-endian length-field frame decoder (the size counts the whole frame) and one
 * {@link Session} handler. S_Welcome is written on channelActive; C_Echo frames are written back as they
 * are; a C_Chat becomes one S_Chat frame, encoded once, which the {@link ChannelGroup} writes to every
 * channel as a retained duplicate. Writes happen in channelRead; each read batch ends with a single flush in
 * channelReadComplete (of the own channel, or of the group when the batch carried chat).
 *
 * <p>Args: --port N (0 = any free port) --host 127.0.0.1 --threads N (default: cores) --max-frame 4096.
 * Prints {@code LISTENING <port>} on stdout once bound.
 */
public final class ReferenceServer {

    private ReferenceServer() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, 0);
        String host = args.str("host", "127.0.0.1");
        int port = args.integer("port", 0);
        int threads = args.integer("threads", Runtime.getRuntime().availableProcessors());
        int maxFrame = args.integer("max-frame", Proto.DEFAULT_MAX_FRAME);

        EventLoopGroup boss = Transport.group(Transport.SERVER, 1);
        EventLoopGroup workers = Transport.group(Transport.SERVER, threads);
        ChannelGroup sessions = new DefaultChannelGroup("sessions", GlobalEventExecutor.INSTANCE);
        AtomicInteger ids = new AtomicInteger();

        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("frames", new LengthFieldBasedFrameDecoder(
                                        ByteOrder.LITTLE_ENDIAN, maxFrame, 0, 2, -2, 0, true))
                                .addLast("session", new Session(ids.incrementAndGet(), sessions));
                    }
                });

        Channel server = bootstrap.bind(host, port).sync().channel();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            sessions.close().awaitUninterruptibly(3, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }, "shutdown"));

        int bound = ((InetSocketAddress) server.localAddress()).getPort();
        System.out.println("LISTENING " + bound);
        System.out.println("INFO transport=" + Transport.name(Transport.SERVER) + " threads=" + threads + " max_frame=" + maxFrame
                + " java=" + System.getProperty("java.version"));
        System.out.flush();
        server.closeFuture().sync();
    }

    /** One per connection. */
    static final class Session extends ChannelInboundHandlerAdapter {
        private final int sessionId;
        private final ChannelGroup sessions;
        private boolean chatWritten;

        Session(int sessionId, ChannelGroup sessions) {
            this.sessionId = sessionId;
            this.sessions = sessions;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            sessions.add(ctx.channel());
            ByteBuf welcome = Proto.frame(ctx.alloc(), Welcome.ID, Proto.WELCOME_BYTES.length);
            welcome.writeBytes(Proto.WELCOME_BYTES);
            ctx.writeAndFlush(welcome, ctx.voidPromise());
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            if (frame.readableBytes() < Frames.HEADER_SIZE) {
                frame.release();
                ctx.close(); // size 2 or 3: protocol error
                return;
            }
            int packetId = frame.getUnsignedShortLE(frame.readerIndex() + 2);
            if (packetId == Echo.ID) {
                ctx.write(frame, ctx.voidPromise()); // same id, same body: the frame itself
                return;
            }
            try {
                if (packetId == ChatRequest.ID) {
                    int textLength = frame.readableBytes() - Frames.HEADER_SIZE;
                    ByteBuf chat = Proto.frame(ctx.alloc(), ChatMessage.ID, 4 + textLength);
                    chat.writeIntLE(sessionId);
                    chat.writeBytes(frame, frame.readerIndex() + Frames.HEADER_SIZE, textLength);
                    // The group writes chat.retainedDuplicate() to each channel and then releases chat.
                    sessions.write(chat, ChannelMatchers.all(), true);
                    chatWritten = true;
                }
                // unknown packet ids are ignored
            } finally {
                frame.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (chatWritten) {
                chatWritten = false;
                sessions.flush(); // includes this channel
            } else {
                ctx.flush();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // protocol error (bad size) or I/O error: close this session only
        }
    }
}
