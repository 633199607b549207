package dev.riffle.topology;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.assignment.ApplicationState;
import org.apache.kafka.streams.processor.assignment.AssignmentConfigs;
import org.apache.kafka.streams.processor.assignment.KafkaStreamsAssignment;
import org.apache.kafka.streams.processor.assignment.KafkaStreamsAssignment.AssignedTask;
import org.apache.kafka.streams.processor.assignment.KafkaStreamsState;
import org.apache.kafka.streams.processor.assignment.ProcessId;
import org.apache.kafka.streams.processor.assignment.TaskAssignor;
import org.apache.kafka.streams.processor.assignment.TaskInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every instance its share of every stage (KIP-924 {@code task.assignor.class}).
 *
 * <p>Kafka Streams' own assignors balance the number of tasks per thread, not per sub-topology: two instances may
 * end up one with every per-host task and the other with every fleet task, so one stage has a single instance's
 * CPU however many run. This assignor deals each sub-topology's tasks separately over the instances, in proportion
 * to their stream threads, so with equal threads each holds its share of each sub-topology within one task; the
 * extra task of a sub-topology that does not divide evenly goes to the instance with the least work so far, so the
 * totals stay even too. Within an instance Kafka Streams spreads the tasks over its threads.
 *
 * <p>Moves are few and safe:
 * <ul>
 *   <li>sticky: a task stays on its previous owner while that owner is within its share;</li>
 *   <li>caught-up rule (KIP-441): a task becomes active only on an instance whose state for it lags the changelog by
 *       at most {@code acceptable.recovery.lag} records (or that runs it already). When the instance that should
 *       take it is not caught up, the task stays on a caught-up one and the newcomer gets a warm-up replica (a
 *       standby, at most {@code max.warmup.replicas} in all) and a follow-up rebalance is asked for after
 *       {@code probing.rebalance.interval.ms}, which moves it once the warm-up has caught up. No caught-up
 *       instance at all (a first start, a lost instance without standbys): the balanced owner restores it;</li>
 *   <li>{@code num.standby.replicas} standbys per stateful task on other instances, preferring those that already
 *       hold its state, then the fewest standbys per thread.</li>
 * </ul>
 * Exactly-once is Kafka Streams' own: an assignment only says where tasks run.
 *
 * <p>Decisions are deterministic (instances in process-id order, tasks in id order), so a rebalance that sees the
 * same state gives the same answer. One line per rebalance (on the group leader) says who holds what.
 */
public final class StageBalancedAssignor implements TaskAssignor {
    private static final Logger log = LoggerFactory.getLogger(StageBalancedAssignor.class);

    /** The lag Kafka Streams reports for a task the instance runs as active now (its Task.LATEST_OFFSET). */
    static final long RUNNING = -2L;
    /** How the plan orders a lag it cannot use (unknown, failed to fetch): after every real one. */
    private static final long UNKNOWN = Long.MAX_VALUE;

    @Override
    public TaskAssignment assign(ApplicationState state) {
        Plan plan = new Plan(state, Instant.now());
        plan.run();
        log.info("task assignment: {}", plan.describe());
        return new TaskAssignment(plan.result());
    }

    /** A sub-topology (of a named topology, if any): the unit whose tasks are dealt evenly. */
    record Stage(String topology, int subtopology) implements Comparable<Stage> {
        static Stage of(TaskId id) {
            return new Stage(id.topologyName() == null ? "" : id.topologyName(), id.subtopology());
        }

        @Override
        public int compareTo(Stage o) {
            int c = topology.compareTo(o.topology);
            return c != 0 ? c : Integer.compare(subtopology, o.subtopology);
        }

        @Override
        public String toString() {
            return topology.isEmpty() ? Integer.toString(subtopology) : topology + "/" + subtopology;
        }
    }

    /** One instance while the plan is made. */
    private static final class Client {
        final ProcessId id;
        final KafkaStreamsState state;
        final int capacity;
        final KafkaStreamsAssignment out;
        final Map<Stage, Integer> active = new HashMap<>();
        final Map<Stage, Integer> target = new HashMap<>();
        final Map<Stage, Integer> reserved = new HashMap<>(); // slots kept for a warm-up's later move
        int plannedLoad; // sum of targets so far, to give a sub-topology's odd task to the least loaded
        int standbys;
        int warmups;

        Client(KafkaStreamsState state) {
            this.id = state.processId();
            this.state = state;
            this.capacity = Math.max(1, state.numProcessingThreads());
            this.out = KafkaStreamsAssignment.of(id, new java.util.HashSet<>());
        }

        long lag(TaskId task, boolean stateful) {
            if (!stateful) {
                return 0;
            }
            try {
                long lag = state.lagFor(task);
                return lag == RUNNING ? RUNNING : lag < 0 ? UNKNOWN : lag;
            } catch (RuntimeException e) { // no lag for it (lags not computed or the task unknown to the client)
                return UNKNOWN;
            }
        }

        int room(Stage stage) {
            return target.getOrDefault(stage, 0) - active.getOrDefault(stage, 0) - reserved.getOrDefault(stage, 0);
        }

        boolean holds(TaskId task) {
            return out.tasks().containsKey(task);
        }

        void activate(Stage stage, TaskId task) {
            out.assignTask(new AssignedTask(task, AssignedTask.Type.ACTIVE));
            active.merge(stage, 1, Integer::sum);
        }

        void standby(TaskId task) {
            out.assignTask(new AssignedTask(task, AssignedTask.Type.STANDBY));
        }
    }

    /** One rebalance's decisions. */
    private static final class Plan {
        final AssignmentConfigs configs;
        final Instant now;
        final Map<ProcessId, Client> clients = new TreeMap<>();
        final Map<TaskId, TaskInfo> tasks;
        final Map<TaskId, ProcessId> previousOwner = new HashMap<>();
        final Map<Stage, List<TaskId>> stages = new TreeMap<>();
        boolean followup;

        Plan(ApplicationState state, Instant now) {
            this.configs = state.assignmentConfigs();
            this.now = now;
            this.tasks = state.allTasks();
            state.kafkaStreamsStates(true).forEach((id, s) -> clients.put(id, new Client(s)));
            for (Client c : clients.values()) {
                for (TaskId t : c.state.previousActiveTasks()) {
                    // two claims (a zombie's and the new owner's): the one that runs it now has the fresher state
                    if (tasks.containsKey(t) && (!previousOwner.containsKey(t) || c.lag(t, stateful(t)) == RUNNING)) {
                        previousOwner.put(t, c.id);
                    }
                }
            }
            for (TaskId t : new TreeSet<>(tasks.keySet())) {
                stages.computeIfAbsent(Stage.of(t), k -> new ArrayList<>()).add(t);
            }
        }

        /** The client that ran the task as active before, if it is still in the group. */
        Client previousOwner(TaskId task) {
            ProcessId id = previousOwner.get(task);
            return id == null ? null : clients.get(id);
        }

        boolean stateful(TaskId task) {
            return tasks.get(task).isStateful();
        }

        boolean caughtUp(Client c, TaskId task) {
            long lag = c.lag(task, stateful(task));
            return lag == RUNNING || lag <= configs.acceptableRecoveryLag();
        }

        void run() {
            if (clients.isEmpty()) {
                return;
            }
            for (Map.Entry<Stage, List<TaskId>> e : stages.entrySet()) {
                share(e.getKey(), e.getValue().size());
                placeActive(e.getKey(), e.getValue());
            }
            placeStandbys();
        }

        /** Each client's target for a stage: its share by threads, the odd tasks to the least loaded. */
        void share(Stage stage, int count) {
            int threads = clients.values().stream().mapToInt(c -> c.capacity).sum();
            int given = 0;
            for (Client c : clients.values()) {
                int base = (int) ((long) count * c.capacity / threads);
                c.target.put(stage, base);
                given += base;
            }
            List<Client> order = new ArrayList<>(clients.values());
            // the least work per thread after this stage's base share first; then the one that held more of
            // this stage before (fewer moves); then process id
            order.sort(Comparator.<Client>comparingDouble(c -> (c.plannedLoad + c.target.get(stage))
                            / (double) c.capacity)
                    .thenComparing(c -> -previouslyHeld(c, stage))
                    .thenComparing(c -> c.id));
            for (int i = 0; given < count; i = (i + 1) % order.size(), given++) {
                order.get(i).target.merge(stage, 1, Integer::sum);
            }
            clients.values().forEach(c -> c.plannedLoad += c.target.get(stage));
        }

        long previouslyHeld(Client c, Stage stage) {
            return c.state.previousActiveTasks().stream().filter(t -> Stage.of(t).equals(stage)).count();
        }

        void placeActive(Stage stage, List<TaskId> stageTasks) {
            List<TaskId> left = new ArrayList<>();
            // sticky first; an owner over its share keeps the tasks that would cost the most to move
            List<TaskId> byMoveCost = new ArrayList<>(stageTasks);
            byMoveCost.sort(Comparator.comparingLong((TaskId t) -> -bestOtherLag(t)).thenComparing(t -> t));
            for (TaskId t : byMoveCost) {
                Client owner = previousOwner(t);
                if (owner != null && owner.room(stage) > 0 && caughtUp(owner, t)) {
                    owner.activate(stage, t);
                } else {
                    left.add(t);
                }
            }
            left.sort(Comparator.naturalOrder());
            for (TaskId t : left) {
                Client to = pick(t, clients.values().stream().filter(c -> c.room(stage) > 0 && caughtUp(c, t)),
                        stage);
                if (to != null) {
                    to.activate(stage, t);
                    continue;
                }
                Client keeper = keeper(t);
                Client balanced = pick(t, clients.values().stream().filter(c -> c.room(stage) > 0), stage);
                if (keeper == null) {
                    // nobody has its state within the acceptable lag: the balanced owner restores it
                    Objects.requireNonNullElse(balanced, leastLoaded(stage)).activate(stage, t);
                } else if (balanced == null) {
                    keeper.activate(stage, t); // every share is full (cannot happen: shares add up to the tasks)
                } else if (stateful(t) && warmupsPlanned() < configs.maxWarmupReplicas()) {
                    keeper.activate(stage, t);
                    balanced.standby(t);
                    balanced.warmups++;
                    balanced.reserved.merge(stage, 1, Integer::sum);
                    followup = true;
                } else {
                    keeper.activate(stage, t); // out of warm-ups this round: a later probing rebalance goes on
                    followup |= stateful(t);
                }
            }
        }

        /** The client with the most room in the stage, then the least lag, then process id. */
        Client pick(TaskId t, java.util.stream.Stream<Client> candidates, Stage stage) {
            boolean stateful = stateful(t);
            return candidates.min(Comparator.<Client>comparingInt(c -> -c.room(stage))
                    .thenComparingLong(c -> c.lag(t, stateful))
                    .thenComparing(c -> c.id)).orElse(null);
        }

        /** A caught-up client to keep a task active while its balanced owner warms up: the previous owner. */
        Client keeper(TaskId t) {
            Client owner = previousOwner(t);
            if (owner != null && caughtUp(owner, t)) {
                return owner;
            }
            boolean stateful = stateful(t);
            return clients.values().stream().filter(c -> caughtUp(c, t))
                    .min(Comparator.<Client>comparingLong(c -> c.lag(t, stateful)).thenComparing(c -> c.id))
                    .orElse(null);
        }

        Client leastLoaded(Stage stage) {
            return clients.values().stream().min(Comparator.<Client>comparingDouble(
                    c -> c.active.getOrDefault(stage, 0) / (double) c.capacity).thenComparing(c -> c.id)).orElseThrow();
        }

        long bestOtherLag(TaskId t) {
            ProcessId owner = previousOwner.get(t);
            boolean stateful = stateful(t);
            return clients.values().stream().filter(c -> !c.id.equals(owner)).mapToLong(c -> c.lag(t, stateful))
                    .min().orElse(UNKNOWN);
        }

        int warmupsPlanned() {
            return clients.values().stream().mapToInt(c -> c.warmups).sum();
        }

        /** num.standby.replicas copies of each stateful task, on clients that have its state first. */
        void placeStandbys() {
            int replicas = Math.min(configs.numStandbyReplicas(), clients.size() - 1);
            for (List<TaskId> stageTasks : stages.values()) {
                for (TaskId t : stageTasks) {
                    if (!stateful(t)) {
                        continue;
                    }
                    for (int i = 0; i < replicas; i++) {
                        Client to = clients.values().stream().filter(c -> !c.holds(t))
                                .min(Comparator.<Client, Boolean>comparing(c -> !caughtUp(c, t))
                                        .thenComparingDouble(c -> c.standbys / (double) c.capacity)
                                        .thenComparingLong(c -> c.lag(t, true))
                                        .thenComparing(c -> c.id))
                                .orElse(null);
                        if (to == null) {
                            break;
                        }
                        to.standby(t);
                        to.standbys++;
                    }
                }
            }
        }

        List<KafkaStreamsAssignment> result() {
            List<KafkaStreamsAssignment> out = new ArrayList<>();
            boolean first = true;
            for (Client c : clients.values()) {
                // one member asks for the probing rebalance that moves warmed-up tasks
                out.add(followup && first
                        ? c.out.withFollowupRebalance(now.plusMillis(configs.probingRebalanceIntervalMs()))
                        : c.out);
                first = false;
            }
            return out;
        }

        /** e.g. {@code 3f2a…: active 0=3 1=3, standby 2, warm-up 1; ...; probing rebalance in 60000 ms}. */
        String describe() {
            StringBuilder b = new StringBuilder();
            for (Client c : clients.values()) {
                Map<Stage, Integer> active = new LinkedHashMap<>();
                stages.keySet().forEach(s -> active.put(s, c.active.getOrDefault(s, 0)));
                StringBuilder counts = new StringBuilder();
                active.forEach((s, n) -> counts.append(counts.length() == 0 ? "" : " ").append(s).append('=')
                        .append(n));
                b.append(b.length() == 0 ? "" : "; ").append(c.id).append(" (").append(c.capacity)
                        .append(c.capacity == 1 ? " thread" : " threads").append("): active ").append(counts)
                        .append(", standby ").append(c.standbys).append(", warm-up ").append(c.warmups);
            }
            if (followup) {
                b.append("; probing rebalance in ").append(configs.probingRebalanceIntervalMs()).append(" ms");
            }
            return b.toString();
        }
    }
}
