package dev.riffle.http;

import java.util.List;

/** What the CLI knows of the running stages: for {@code /healthz} and {@code /api/status}. */
public record PipelineStatus(List<StageStatus> stages) {

    /** One stage: its name, whether it runs, and its status line. */
    public record StageStatus(String name, boolean running, String line) {
    }

    /** The body of {@code /healthz}: {@code ok} or {@code not ready}, then each stage and whether it runs. */
    public String report() {
        StringBuilder body = new StringBuilder(healthy() ? "ok\n" : "not ready\n");
        for (StageStatus st : stages) {
            body.append(st.name()).append(st.running() ? " running\n" : " NOT running\n");
        }
        return body.toString();
    }

    /** Ready: there are stages and every one of them runs. */
    public boolean healthy() {
        return !stages.isEmpty() && stages.stream().allMatch(StageStatus::running);
    }
}
