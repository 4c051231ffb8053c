package dev.servercore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GUIDE.md shows the sample game's code as it is compiled and tested (samples/tag, which CI builds against the
 * installed library): every block that names a file is that file.
 */
class GuideDocumentTest {

    private static final Pattern BLOCK = Pattern.compile(
            "```(?:java\\n// |yaml\\n# |xml\\n<!-- )(\\S+)(?: -->)?\\n(.*?)\\n```", Pattern.DOTALL);

    @Test
    void everyCodeBlockOfTheGuideIsTheSourceFileItNames() throws Exception {
        String guide = Files.readString(Path.of("GUIDE.md"));
        Matcher block = BLOCK.matcher(guide);
        int blocks = 0;
        while (block.find()) {
            Path file = Path.of(block.group(1));
            assertThat(file).as("the file a block of GUIDE.md names").exists();
            assertThat(file.toString()).startsWith("samples/tag/");
            assertThat(block.group(2)).as(file.toString()).isEqualTo(Files.readString(file).stripTrailing());
            blocks++;
        }
        assertThat(blocks).isEqualTo(13);
    }
}
