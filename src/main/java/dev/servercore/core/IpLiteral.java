package dev.servercore.core;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IP address written out (dotted IPv4, or IPv6 with colons), parsed without ever looking a name up. */
final class IpLiteral {

    private IpLiteral() {
    }

    static InetAddress parse(String text) {
        if (text.indexOf(':') < 0 && !isDottedQuad(text)) {
            // InetAddress.getByName would take it for a host name and ask the resolver
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        try {
            return InetAddress.getByName(text); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'", e);
        }
    }

    private static boolean isDottedQuad(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }
}
