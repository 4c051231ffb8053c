package dev.servercore.core;

import java.net.InetAddress;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-address table on its own: its rules, its keys, and its bound. */
class AddressLimitsTest {

    private static final long SECOND = 1_000_000_000L;

    private static InetAddress ip(String literal) {
        return IpLiteral.parse(literal);
    }

    @Test
    void anAddressGetsItsCapAndItsBucketAndGetsBothBack() {
        AddressLimits limits = new AddressLimits(3, 2, 4, Set.of(), 100);
        InetAddress a = ip("198.51.100.1");
        long now = 0;
        for (int i = 0; i < 3; i++) {
            assertThat(limits.admit(a, now)).isNull();
        }
        assertThat(limits.admit(a, now)).isEqualTo(RefusalReason.PER_ADDRESS);
        limits.release(a, now);
        assertThat(limits.admit(a, now)).as("a place again; the bucket had 4").isNull();
        limits.release(a, now);
        assertThat(limits.admit(a, now)).as("a place, but no token left").isEqualTo(RefusalReason.CONNECT_RATE);
        assertThat(limits.admit(a, now + SECOND / 2)).as("half a second at 2/s: one token").isNull();
        assertThat(limits.admit(ip("198.51.100.2"), now)).as("another address has its own").isNull();
    }

    @Test
    void ipv6CountsByItsSlash64AndExemptAddressesAreNotCounted() {
        AddressLimits limits = new AddressLimits(2, 0, 1, Set.of(ip("::1"), ip("127.0.0.1")), 100);
        assertThat(limits.admit(ip("2001:db8:1:2::a"), 0)).isNull();
        assertThat(limits.admit(ip("2001:db8:1:2:ffff::b"), 0)).isNull();
        assertThat(limits.admit(ip("2001:db8:1:2::c"), 0)).as("the same /64").isEqualTo(RefusalReason.PER_ADDRESS);
        assertThat(limits.admit(ip("2001:db8:1:3::a"), 0)).as("the next /64").isNull();
        for (int i = 0; i < 10; i++) {
            assertThat(limits.admit(ip("::1"), 0)).isNull();
            assertThat(limits.admit(ip("127.0.0.1"), 0)).isNull();
        }
        assertThat(limits.tracked()).isEqualTo(2);
        assertThat(AddressLimits.key(ip("::ffff:198.51.100.1"))).as("IPv4-mapped is IPv4")
                .isEqualTo(AddressLimits.key(ip("198.51.100.1")));
    }

    @Test
    void aMillionAddressesNeverGrowTheTableBeyondItsBound() {
        AddressLimits limits = AddressLimits.of(ServerCoreProperties.defaults().getListener().getPerAddress(), 1_000);
        long now = 0;
        int held = 0;
        for (int i = 0; i < 1_000_000; i++) {
            InetAddress address = ip("10." + (i >>> 16 & 0xFF) + "." + (i >>> 8 & 0xFF) + "." + (i & 0xFF));
            now += 1_000; // a connect every microsecond
            assertThat(limits.admit(address, now)).isNull();
            if (i % 1_000 == 0 && held < 900) {
                held++; // kept open: never forgotten
            } else {
                limits.release(address, now);
            }
            assertThat(limits.tracked()).isLessThanOrEqualTo(limits.maxTracked());
        }
        assertThat(limits.maxTracked()).isEqualTo(2_000);
        InetAddress first = ip("10.0.0.0");
        for (int i = 0; i < 255; i++) {
            assertThat(limits.admit(first, now)).isNull();
        }
        assertThat(limits.admit(first, now)).as("an address holding a connection kept its count")
                .isEqualTo(RefusalReason.PER_ADDRESS);
    }
}
