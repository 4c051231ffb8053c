package dev.servercore.cluster;

import java.nio.charset.StandardCharsets;

/**
 * Redis names of one cluster. Keys carry the hash tag {@code {prefix}} so that the presence scripts,
 * which touch several of them, work on Redis Cluster too (one slot); channels are not keys.
 */
final class ClusterKeys {

    private final String tag;
    private final String roomChannelPrefix;

    ClusterKeys(String prefix) {
        this.tag = "{" + prefix + "}";
        this.roomChannelPrefix = prefix + ":room:";
    }

    /** Sorted set: live node ids, scored by when each expires (Redis time, ms). */
    byte[] nodes() {
        return bytes(tag + ":nodes");
    }

    /** When this Redis began to hold the cluster's keys (Redis time, ms): set anew after it lost them. */
    byte[] epoch() {
        return bytes(tag + ":epoch");
    }

    byte[] slotCounter() {
        return bytes(tag + ":slot-turn");
    }

    byte[] slot(int slot) {
        return bytes(tag + ":slot:" + slot);
    }

    /** Hash: node id to that node's member count of the room. */
    byte[] roomMembers(String room) {
        return bytes(tag + ":members:" + room);
    }

    /**
     * Set: the rooms whose member hash holds a count of this node. A room that leaves the node while Redis is away
     * is found here after the reconnect (the hash itself never expires while another node still writes it).
     */
    byte[] nodeRooms(byte[] nodeId) {
        return bytes(tag + ":rooms-of:" + new String(nodeId, StandardCharsets.UTF_8));
    }

    byte[] roomChannel(String room) {
        return bytes(roomChannelPrefix + room);
    }

    /** The room of a room channel, or null. */
    String roomOf(byte[] channel) {
        String name = new String(channel, StandardCharsets.UTF_8);
        return name.startsWith(roomChannelPrefix) ? name.substring(roomChannelPrefix.length()) : null;
    }

    /** A channel of the node's own: the subscription always has one channel, and it carries pings. */
    byte[] nodeChannel(String nodeId) {
        return bytes(tag + ":node:" + nodeId);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
