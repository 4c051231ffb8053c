package dev.servercore.deploy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrometheusTextTest {

    @Test
    void readsFamiliesSamplesAndLabelsWithBracesCommasAndQuotesInTheirValues() {
        String text = """
                # HELP x_seconds A timer
                # TYPE x_seconds histogram
                x_seconds_bucket{le="0.1",uri="/a/{id}",q="say \\"hi\\", then go"} 3
                x_seconds_bucket{le="+Inf"} 4
                x_seconds_count 4
                x_seconds_sum 0.25
                # TYPE up gauge
                up NaN 1700000000000
                """;
        assertThat(PrometheusText.sampleNames(text))
                .containsExactly("x_seconds_bucket", "x_seconds_count", "x_seconds_sum", "up");
    }

    @Test
    void rejectsWhatIsNotTheFormat() {
        assertThatThrownBy(() -> PrometheusText.sampleNames("# TYPE a counter\na_total{x=\"1\" 1\n"))
                .hasMessageContaining("unclosed");
        assertThatThrownBy(() -> PrometheusText.sampleNames("# TYPE a gauge\na one\n")).hasMessageContaining("number");
        assertThatThrownBy(() -> PrometheusText.sampleNames("b 1\n")).hasMessageContaining("no TYPE");
        assertThatThrownBy(() -> PrometheusText.sampleNames("# TYPE a gauge\na{1x=\"y\"} 1\n"))
                .hasMessageContaining("bad label");
        assertThatThrownBy(() -> PrometheusText.sampleNames("<html>\n")).hasMessageContaining("not Prometheus");
    }
}
