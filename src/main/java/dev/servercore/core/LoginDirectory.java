package dev.servercore.core;

import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * Which session of a cluster holds each principal, so that a login on one gateway kicks the same principal's
 * older session on another ({@code S_Kick(duplicate_login)}). This node's calls for one principal come in the
 * order of its logins; none may block (they are made on event loops).
 */
public interface LoginDirectory {

    /** Where the directory sends a displacement: the principal, and the id of this node's session that must go. */
    void attach(BiConsumer<String, Integer> displace);

    /**
     * A session of this node holds the principal now; whoever held it elsewhere is displaced. The stage completes
     * once the claim is recorded (or could not be: a failed claim costs the cluster-wide check, not the login).
     */
    CompletionStage<?> claimed(String principal, int sessionId);

    /** That session no longer holds it (it ended, or was displaced). */
    void released(String principal, int sessionId);
}
