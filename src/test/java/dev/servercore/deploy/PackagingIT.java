package dev.servercore.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What `./mvnw package` makes (after the package phase, as failsafe runs it): the plain jar is the library a game
 * depends on (classes at the root, no configuration file of the gateway's), and the -exec jar is the gateway, with
 * the web and Redis starters that the library leaves optional.
 */
class PackagingIT {

    private static final Path TARGET = Path.of("target");

    private static Path jar(String pattern) throws Exception {
        try (Stream<Path> files = Files.list(TARGET)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().matches(pattern)).toList();
            assertThat(found).as("target/ files matching " + pattern).hasSize(1);
            return found.get(0);
        }
    }

    private static List<String> entries(Path jar) throws Exception {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(java.util.zip.ZipEntry::getName).toList();
        }
    }

    @Test
    void thePlainJarIsALibraryAndTheExecJarIsTheGateway() throws Exception {
        List<String> library = entries(jar("servercore-[\\d.]+(-SNAPSHOT)?\\.jar"));
        assertThat(library).contains("dev/servercore/core/Listener.class",
                "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports",
                "META-INF/spring-configuration-metadata.json");
        assertThat(library).noneMatch(name -> name.startsWith("BOOT-INF/"))
                .noneMatch(name -> name.equals("application.yml") || name.equals("application.properties"));

        List<String> gateway = entries(jar("servercore-.*-exec\\.jar"));
        assertThat(gateway).contains("BOOT-INF/classes/dev/servercore/ServerCoreApplication.class")
                .anyMatch(name -> name.matches("BOOT-INF/lib/tomcat-embed-core-.*\\.jar"))
                .anyMatch(name -> name.matches("BOOT-INF/lib/lettuce-core-.*\\.jar"))
                .noneMatch(name -> name.equals("BOOT-INF/classes/application.yml"));
    }
}
