package dev.riffle.http;

import java.util.List;

/** What the CLI knows of the running stages: for {@code /healthz} and {@code /api/status}. */
public record PipelineStatus(List<StageStatus> stages) {

    /** One stage: its name, whether it runs, and its status line. */
    public record StageStatus(String name, boolean running, String line) {
    }

    /** Ready: there are stages and every one of them runs. */
    public boolean healthy() {
        return !stages.isEmpty() && stages.stream().allMatch(StageStatus::running);
    }
}
