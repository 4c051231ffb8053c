package dev.servercore.core;

/**
 * Resume (PROTOCOL.md v3) on a listener, resolved from {@code servercore.session.resume.*}.
 *
 * @param windowNanos how long a detached session waits for its client; 0: resume is off
 * @param maxDetached most sessions waiting detached at once; a drop beyond it ends the session
 * @param maxDetachedBytes most bytes detached sessions hold together; the one whose send passes it ends
 */
public record ResumeSettings(long windowNanos, int maxDetached, long maxDetachedBytes) {

    public static ResumeSettings off() {
        return new ResumeSettings(0, 0, 0);
    }
}
