package dev.servercore.protocol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The bench (bench/pom.xml) compiles this package, with the engine classes it uses, straight from
 * src/main/java instead of keeping its own copy of the packet ids: these files must compile with nothing but
 * the JDK. Compiled here exactly as the bench compiles them, so a new dependency fails this test, not only
 * the bench's build.
 */
class ProtocolPackageTest {

    private static final Path SOURCES = Path.of("src", "main", "java");

    @Test
    void theProtocolCompilesWithTheJdkAlone(@TempDir Path out) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assumeTrue(javac != null, "no compiler in this runtime (a JRE)");
        List<Path> files = new ArrayList<>();
        try (Stream<Path> protocol = Files.list(SOURCES.resolve("dev/servercore/protocol"))) {
            protocol.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
        }
        // the codec the packets are written on
        for (String codec : new String[] {"Packet", "PacketType", "BodyReader", "BodyWriter", "Utf8"}) {
            files.add(SOURCES.resolve("dev/servercore/game/" + codec + ".java"));
        }
        files.add(SOURCES.resolve("dev/servercore/core/Frames.java"));
        files.add(SOURCES.resolve("dev/servercore/core/ProtocolException.java"));
        // the session layer's ids and reasons, which the bench's attack scenarios read
        files.add(SOURCES.resolve("dev/servercore/core/SessionLayer.java"));
        files.add(SOURCES.resolve("dev/servercore/core/KickReason.java"));
        files.add(SOURCES.resolve("dev/servercore/core/CloseReason.java"));
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fileManager = javac.getStandardFileManager(diagnostics, null, null)) {
            Iterable<? extends JavaFileObject> units = fileManager.getJavaFileObjectsFromPaths(files);
            // no class path, and the source path the bench gives javac: the whole main tree
            List<String> options = List.of("-proc:none", "-classpath", "", "-sourcepath", SOURCES.toString(),
                    "-d", out.toString());
            boolean compiled = javac.getTask(null, fileManager, diagnostics, options, null, units).call();
            assertThat(compiled).as("the protocol package needs more than the JDK (bench/pom.xml compiles it"
                    + " alone): %s", diagnostics.getDiagnostics()).isTrue();
        }
    }
}
