package dev.servercore.game;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.servercore.core.Session;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The table of {@link PacketHandler} methods, indexed by packet id: a dispatch is an array load and a
 * method handle call, with no reflection per packet. Built once at startup; a packet whose id has no
 * handler is counted ({@code servercore.packets.unknown}, tagged by id) and otherwise ignored.
 */
public final class PacketHandlers {

    /** Distinct ids counted apart; beyond them a hostile client could mint one time series per id. */
    static final int COUNTED_IDS = 64;
    private static final MethodType DISPATCH = MethodType.methodType(void.class, Session.class, ByteBuffer.class);
    private static final MethodHandle COPY;
    private static final MethodHandle DECODE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            COPY = lookup.findStatic(PacketHandlers.class, "copy", MethodType.methodType(byte[].class, ByteBuffer.class));
            DECODE = lookup.findVirtual(PacketType.class, "decode", MethodType.methodType(Object.class, ByteBuffer.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Handler[] table = new Handler[0x10000];
    private final List<String> described = new ArrayList<>();
    private final MeterRegistry meters;
    private final Map<Integer, Counter> unknown = new ConcurrentHashMap<>();
    /** Handlers with a {@link RateLimit}: each has a slot of every session's budgets. */
    private int limitedHandlers;

    public PacketHandlers(MeterRegistry meters) {
        this.meters = meters;
    }

    /**
     * One handler; {@code invokeExact} on a handle of the one shape every handler is adapted to. With a budget:
     * its slot in the session's budgets, a packet's cost and the burst's tolerance, in nanoseconds.
     */
    private record Handler(MethodHandle target, String method, int budgetSlot, long cost, long tolerance,
            Counter limited) {
    }

    /**
     * Hands one packet to its handler, on the caller's thread (the session's loop). A packet over its handler's
     * {@link RateLimit} (for a {@link HandlerSession}) is dropped and counted.
     *
     * @return false when no handler has the id
     */
    public boolean dispatch(Session session, int packetId, ByteBuffer body) {
        Handler handler = table[packetId];
        if (handler == null) {
            unknownPacket(packetId);
            return false;
        }
        if (handler.budgetSlot() >= 0 && session instanceof HandlerSession limited
                && !limited.admit(handler.budgetSlot(), limitedHandlers, handler.cost(), handler.tolerance())) {
            handler.limited().increment();
            return true;
        }
        try {
            handler.target().invokeExact(session, body);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable checked) {
            throw new IllegalStateException(handler.method() + " threw", checked);
        }
        return true;
    }

    public boolean hasHandler(int packetId) {
        return packetId >= 0 && packetId < table.length && table[packetId] != null;
    }

    /** The handlers, one line each: "id -> method". */
    public List<String> describe() {
        return List.copyOf(described);
    }

    private void unknownPacket(int packetId) {
        Integer key = unknown.size() < COUNTED_IDS || unknown.containsKey(packetId) ? packetId : -1;
        unknown.computeIfAbsent(key, id -> Counter.builder("servercore.packets.unknown")
                .description("Packets whose id has no @PacketHandler (ignored), by id; 'other' past "
                        + COUNTED_IDS + " distinct ids")
                .tag("id", id < 0 ? "other" : Integer.toString(id)).register(meters)).increment();
    }

    /**
     * Adds {@code method} of {@code bean} as the handler of its {@link PacketHandler} id.
     *
     * @param invocable the method to call on {@code bean} (the same, or its counterpart on a proxy)
     * @throws IllegalStateException naming the method, when it cannot be a handler
     */
    synchronized void add(Object bean, Method method, Method invocable, PacketTypes types) {
        add(bean, method, invocable, types, 0, 0);
    }

    /**
     * As {@link #add(Object, Method, Method, PacketTypes)}, with a budget per session of {@code perSecond} packets
     * a second and {@code burst} at once above it (0 per second: none).
     */
    synchronized void add(Object bean, Method method, Method invocable, PacketTypes types, double perSecond,
            long burst) {
        PacketHandler annotation = method.getAnnotation(PacketHandler.class);
        String name = method.getDeclaringClass().getName() + "." + method.getName();
        Class<?>[] parameters = method.getParameterTypes();
        String shown = annotation.value() == PacketHandler.FROM_TYPE ? "" : Integer.toString(annotation.value());
        if (parameters.length < 1 || parameters.length > 2 || !Session.class.isAssignableFrom(parameters[0])) {
            throw new IllegalStateException("@PacketHandler(" + shown + ") on " + name + ": parameters must be "
                    + "(a Session type) or (a Session type, the body: ByteBuffer, byte[] or a type with a PacketType)");
        }
        Class<?> body = parameters.length == 2 ? parameters[1] : null;
        PacketType<?> type = body == null || body == ByteBuffer.class || body == byte[].class ? null
                : types.find(body);
        if (body != null && type == null && body != ByteBuffer.class && body != byte[].class) {
            throw new IllegalStateException("@PacketHandler(" + shown + ") on " + name + ": " + body.getName()
                    + " has no PacketType (declare public static final PacketType<" + body.getSimpleName()
                    + "> TYPE in it, or a PacketType<" + body.getSimpleName() + "> bean; or take a ByteBuffer or byte[])");
        }
        int id = annotation.value();
        if (id == PacketHandler.FROM_TYPE) {
            if (type == null) {
                throw new IllegalStateException("@PacketHandler on " + name + " needs an id: it takes no packet type "
                        + "to take the id from");
            }
            id = type.id();
        } else if (type != null && type.id() != id) {
            throw new IllegalStateException("@PacketHandler(" + id + ") on " + name + ": the PacketType of "
                    + body.getSimpleName() + " is packet " + type.id() + ", not " + id
                    + " (leave the id out to take the type's)");
        }
        if (id < 0 || id > 0xFFFF) {
            throw new IllegalStateException("@PacketHandler(" + id + ") on " + name + ": ids are 0..65535");
        }
        if (method.getReturnType() != void.class) {
            throw new IllegalStateException("@PacketHandler(" + id + ") on " + name + " must return void (send replies "
                    + "with session.send)");
        }
        if (Modifier.isStatic(method.getModifiers())) {
            throw new IllegalStateException("@PacketHandler(" + id + ") on " + name + " must not be static");
        }
        if (table[id] != null) {
            throw new IllegalStateException("Two @PacketHandler(" + id + ") methods: " + table[id].method() + " and "
                    + name);
        }
        MethodHandle handle;
        try {
            invocable.setAccessible(true);
            handle = MethodHandles.lookup().unreflect(invocable).bindTo(bean);
        } catch (IllegalAccessException | RuntimeException e) {
            throw new IllegalStateException("@PacketHandler(" + id + ") on " + name + " cannot be called: " + e, e);
        }
        if (body == null) {
            handle = MethodHandles.dropArguments(handle, 1, ByteBuffer.class);
        } else if (body == byte[].class) {
            handle = MethodHandles.filterArguments(handle, 1, COPY);
        } else if (type != null) {
            MethodHandle decode = DECODE.bindTo(type).asType(MethodType.methodType(body, ByteBuffer.class));
            handle = MethodHandles.filterArguments(handle, 1, decode);
        }
        if (perSecond < 0 || (perSecond > 0 && burst < 1) || perSecond > 1e9) {
            throw new IllegalStateException("@RateLimit on " + name + ": perSecond must be above 0 (at most 1e9) and "
                    + "burst at least 1");
        }
        if (perSecond > 0) {
            long cost = Math.max(1, Math.round(1e9 / perSecond));
            Counter limited = Counter.builder("servercore.packets.limited")
                    .description("Packets dropped because their session was over the @RateLimit of their handler")
                    .tag("id", Integer.toString(id)).register(meters);
            table[id] = new Handler(handle.asType(DISPATCH), name, limitedHandlers++, cost, cost * burst, limited);
            described.add(id + " -> " + name + " (at most " + perSecond + "/s, " + burst + " at once)");
        } else {
            table[id] = new Handler(handle.asType(DISPATCH), name, -1, 0, 0, null);
            described.add(id + " -> " + name);
        }
    }

    private static byte[] copy(ByteBuffer body) {
        byte[] copy = new byte[body.remaining()];
        body.duplicate().get(copy);
        return copy;
    }
}
