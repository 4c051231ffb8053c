package dev.servercore.protocol;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The repository carries the wire contract; where the shared original is beside it, the copy is the same. */
class ProtocolDocumentTest {

    private static final Path COPY = Path.of("PROTOCOL.md");
    private static final Path SHARED = Path.of("..", "shared", "PROTOCOL.md");

    @Test
    void theRepositoryCarriesTheProtocolDocument() throws Exception {
        assertThat(COPY).exists();
        assertThat(Files.readString(COPY)).contains("# ServerCore wire protocol").contains("| 11 | `S_Moves`");
    }

    @Test
    void theCopyIsTheSharedDocument() throws Exception {
        assumeTrue(Files.exists(SHARED), "no ../shared/PROTOCOL.md beside this checkout");
        assertThat(Files.readString(COPY)).isEqualTo(Files.readString(SHARED));
    }
}
