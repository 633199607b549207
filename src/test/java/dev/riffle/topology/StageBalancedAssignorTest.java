package dev.riffle.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.assignment.ApplicationState;
import org.apache.kafka.streams.processor.assignment.AssignmentConfigs;
import org.apache.kafka.streams.processor.assignment.KafkaStreamsAssignment;
import org.apache.kafka.streams.processor.assignment.KafkaStreamsAssignment.AssignedTask;
import org.apache.kafka.streams.processor.assignment.KafkaStreamsState;
import org.apache.kafka.streams.processor.assignment.ProcessId;
import org.apache.kafka.streams.processor.assignment.TaskAssignmentUtils;
import org.apache.kafka.streams.processor.assignment.TaskAssignor;
import org.apache.kafka.streams.processor.assignment.TaskInfo;
import org.apache.kafka.streams.processor.assignment.TaskTopicPartition;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/**
 * The assignor's decisions on synthetic group states: Riffle's shape (6 partitions x 2 sub-topologies) over 2 and 3
 * instances, started together or joining one by one, lagging newcomers, a member leaving, standbys, uneven threads,
 * and many random shapes. Lags follow Kafka Streams' conventions: -2 for a task the member runs now, else
 * changelog end offset minus the member's checkpoint (the whole changelog when it has no copy).
 */
class StageBalancedAssignorTest {
    static final long RUNNING = StageBalancedAssignor.RUNNING;
    final StageBalancedAssignor assignor = new StageBalancedAssignor();

    /** A group member as the assignor sees it. */
    static final class Member implements KafkaStreamsState {
        final ProcessId id;
        final int threads;
        final SortedSet<TaskId> active = new TreeSet<>();
        final SortedSet<TaskId> standby = new TreeSet<>();
        final Map<TaskId, Long> lags = new HashMap<>();
        long otherLag; // lag of every task not in lags

        Member(int n, int threads, long otherLag) {
            this.id = new ProcessId(new UUID(0, n));
            this.threads = threads;
            this.otherLag = otherLag;
        }

        @Override
        public ProcessId processId() {
            return id;
        }

        @Override
        public int numProcessingThreads() {
            return threads;
        }

        @Override
        public SortedSet<String> consumerClientIds() {
            SortedSet<String> ids = new TreeSet<>();
            for (int i = 0; i < threads; i++) {
                ids.add(id + "-" + i);
            }
            return ids;
        }

        @Override
        public SortedSet<TaskId> previousActiveTasks() {
            return active;
        }

        @Override
        public SortedSet<TaskId> previousStandbyTasks() {
            return standby;
        }

        @Override
        public long lagFor(TaskId task) {
            return active.contains(task) ? RUNNING : lags.getOrDefault(task, otherLag);
        }

        @Override
        public SortedSet<TaskId> prevTasksByLag(String consumer) {
            return new TreeSet<>(active);
        }

        @Override
        public Map<TaskId, Long> statefulTasksToLagSums() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<HostInfo> hostInfo() {
            return Optional.empty();
        }

        @Override
        public Map<String, String> clientTags() {
            return Map.of();
        }

        @Override
        public Optional<String> rackId() {
            return Optional.empty();
        }
    }

    record Task(TaskId id, boolean isStateful) implements TaskInfo {
        @Override
        public Set<String> stateStoreNames() {
            return isStateful ? Set.of("store-" + id.subtopology()) : Set.of();
        }

        @Override
        public Set<TaskTopicPartition> topicPartitions() {
            return Set.of();
        }
    }

    /** A group: members, tasks and the assignment configs. */
    static final class Group implements ApplicationState {
        final Map<ProcessId, Member> members = new TreeMap<>();
        final Map<TaskId, TaskInfo> tasks = new TreeMap<>();
        long acceptableLag = 10_000;
        int maxWarmups = 2;
        int standbys = 0;

        Group(int subtopologies, int partitions) {
            for (int s = 0; s < subtopologies; s++) {
                for (int p = 0; p < partitions; p++) {
                    TaskId id = new TaskId(s, p);
                    tasks.put(id, new Task(id, true));
                }
            }
        }

        Member join(int n, int threads, long lag) {
            Member m = new Member(n, threads, lag);
            members.put(m.id, m);
            return m;
        }

        @Override
        public Map<ProcessId, KafkaStreamsState> kafkaStreamsStates(boolean computeTaskLags) {
            return new TreeMap<>(members);
        }

        @Override
        public AssignmentConfigs assignmentConfigs() {
            return new AssignmentConfigs(acceptableLag, maxWarmups, standbys, 60_000L, List.of());
        }

        @Override
        public Map<TaskId, TaskInfo> allTasks() {
            return tasks;
        }
    }

    /** An assignment, checked valid, by member. */
    Map<ProcessId, KafkaStreamsAssignment> assign(Group g) {
        TaskAssignor.TaskAssignment out = assignor.assign(g);
        assertEquals(TaskAssignor.AssignmentError.NONE, TaskAssignmentUtils.validateTaskAssignment(g, out));
        Map<ProcessId, KafkaStreamsAssignment> by = new TreeMap<>();
        out.assignment().forEach(a -> by.put(a.processId(), a));
        Set<TaskId> active = new HashSet<>();
        by.values().forEach(a -> a.tasks().values().stream().filter(t -> t.type() == AssignedTask.Type.ACTIVE)
                .forEach(t -> assertTrue(active.add(t.id()), "active once: " + t)));
        assertEquals(g.tasks.keySet(), active, "every task active somewhere");
        return by;
    }

    static List<TaskId> tasks(KafkaStreamsAssignment a, AssignedTask.Type type) {
        return a.tasks().values().stream().filter(t -> t.type() == type).map(AssignedTask::id).sorted().toList();
    }

    static int activeIn(KafkaStreamsAssignment a, int subtopology) {
        return (int) tasks(a, AssignedTask.Type.ACTIVE).stream().filter(t -> t.subtopology() == subtopology).count();
    }

    /** Each member's active count per sub-topology, e.g. [[3, 3], [3, 3]]. */
    static List<List<Integer>> perStage(Map<ProcessId, KafkaStreamsAssignment> by, int subtopologies) {
        List<List<Integer>> out = new ArrayList<>();
        for (KafkaStreamsAssignment a : by.values()) {
            List<Integer> row = new ArrayList<>();
            for (int s = 0; s < subtopologies; s++) {
                row.add(activeIn(a, s));
            }
            out.add(row);
        }
        return out;
    }

    /** The group after the members took up an assignment: running tasks are active, warm copies lag little. */
    static void takeUp(Group g, Map<ProcessId, KafkaStreamsAssignment> by, long standbyLag) {
        for (Member m : g.members.values()) {
            KafkaStreamsAssignment a = by.get(m.id);
            m.active.clear();
            m.standby.clear();
            m.active.addAll(tasks(a, AssignedTask.Type.ACTIVE));
            m.standby.addAll(tasks(a, AssignedTask.Type.STANDBY));
            m.standby.forEach(t -> m.lags.put(t, standbyLag));
        }
    }

    @Test
    void startedTogetherEachHoldsItsShareOfEachStage() {
        for (int n = 2; n <= 3; n++) {
            Group g = new Group(2, 6);
            for (int i = 0; i < n; i++) {
                g.join(i, 1, 0); // nothing written yet: every member is caught up
            }
            Map<ProcessId, KafkaStreamsAssignment> by = assign(g);
            int share = 6 / n;
            perStage(by, 2).forEach(row -> assertEquals(List.of(share, share), row));
            by.values().forEach(a -> assertFalse(a.followupRebalanceDeadline().isPresent(), "nothing to warm up"));
        }
    }

    /** The case: the first member took everything; the second is caught up (small changelog). */
    @Test
    void aCaughtUpNewcomerTakesHalfOfEachStageAndTheOldOwnerKeepsTheRest() {
        Group g = new Group(2, 6);
        Member first = g.join(1, 1, 0);
        g.tasks.keySet().forEach(first.active::add);
        g.join(2, 1, 500);
        Map<ProcessId, KafkaStreamsAssignment> by = assign(g);
        assertEquals(List.of(List.of(3, 3), List.of(3, 3)), perStage(by, 2));
        // sticky: what the first keeps it ran already, so only the newcomer's six tasks move
        assertTrue(first.active.containsAll(tasks(by.get(first.id), AssignedTask.Type.ACTIVE)));
    }

    @Test
    void joiningOneByOneWithSmallStateMovesOnlyTheNewcomersShare() {
        Group g = new Group(2, 6);
        g.join(1, 1, 0);
        Map<ProcessId, KafkaStreamsAssignment> by = assign(g);
        assertEquals(List.of(List.of(6, 6)), perStage(by, 2));
        for (int n = 2; n <= 3; n++) {
            takeUp(g, by, 0);
            g.join(n, 1, 2_000);
            Map<ProcessId, Set<TaskId>> before = new HashMap<>();
            g.members.values().forEach(m -> before.put(m.id, new HashSet<>(m.active)));
            by = assign(g);
            int share = 6 / n;
            perStage(by, 2).forEach(row -> assertEquals(List.of(share, share), row));
            int moved = 0;
            for (KafkaStreamsAssignment a : by.values()) {
                for (TaskId t : tasks(a, AssignedTask.Type.ACTIVE)) {
                    moved += before.get(a.processId()).contains(t) ? 0 : 1;
                }
            }
            assertEquals(2 * share, moved, "only the newcomer's share moves, with " + n + " members");
        }
    }

    /**
     * A newcomer far behind the changelog gets warm-ups, not active tasks: the old owner keeps running them, a
     * probing rebalance is asked for, and at each one the caught-up warm-ups move, until each stage is balanced.
     */
    @Test
    void aLaggingNewcomerWarmsUpFirstAndTheGroupSettlesBalancedAtProbingRebalances() {
        Group g = new Group(2, 6);
        Member first = g.join(1, 1, 0);
        g.tasks.keySet().forEach(first.active::add);
        Member second = g.join(2, 1, 5_000_000);
        Map<ProcessId, KafkaStreamsAssignment> by = assign(g);
        assertEquals(List.of(List.of(6, 6), List.of(0, 0)), perStage(by, 2), "nothing moves to a lagging member");
        List<TaskId> warm = tasks(by.get(second.id), AssignedTask.Type.STANDBY);
        assertEquals(2, warm.size(), "max.warmup.replicas warm-ups");
        assertTrue(by.get(first.id).followupRebalanceDeadline().isPresent()
                || by.get(second.id).followupRebalanceDeadline().isPresent(), "a probing rebalance is asked for");
        Instant deadline = by.values().stream().flatMap(a -> a.followupRebalanceDeadline().stream()).findFirst()
                .orElseThrow();
        assertTrue(deadline.isAfter(Instant.now().plusSeconds(50)), "after probing.rebalance.interval.ms");
        int rounds = 1;
        while (!perStage(by, 2).equals(List.of(List.of(3, 3), List.of(3, 3)))) {
            assertTrue(rounds++ < 10, "settles within 10 probing rebalances: " + perStage(by, 2));
            takeUp(g, by, 100); // the warm-ups caught up meanwhile
            by = assign(g);
            // never more than one stage's share away from balanced, and never a task on a lagging member
            for (TaskId t : tasks(by.get(second.id), AssignedTask.Type.ACTIVE)) {
                assertTrue(second.lagFor(t) <= g.acceptableLag, t + " active on a member that lags");
            }
        }
        assertEquals(4, rounds, "6 moves at 2 warm-ups per probing rebalance: 3 rounds after the first");
        by.values().forEach(a -> assertFalse(a.followupRebalanceDeadline().isPresent(), "settled: no more probing"));
    }

    @Test
    void aMemberLeavingHandsItsTasksOnAndTheOthersKeepTheirs() {
        Group g = new Group(2, 6);
        for (int i = 0; i < 3; i++) {
            g.join(i, 1, 0);
        }
        Map<ProcessId, KafkaStreamsAssignment> by = assign(g);
        takeUp(g, by, 0);
        Member gone = g.members.values().iterator().next();
        g.members.remove(gone.id);
        Map<ProcessId, Set<TaskId>> before = new HashMap<>();
        g.members.values().forEach(m -> {
            m.otherLag = 50_000; // the leaver's tasks: no copy anywhere, restored from the changelog
            before.put(m.id, new HashSet<>(m.active));
        });
        by = assign(g);
        assertEquals(List.of(List.of(3, 3), List.of(3, 3)), perStage(by, 2));
        by.values().forEach(a -> assertTrue(tasks(a, AssignedTask.Type.ACTIVE).containsAll(before.get(a.processId())),
                "a survivor keeps what it ran"));
        by.values().forEach(a -> assertFalse(a.followupRebalanceDeadline().isPresent(),
                "no member has the leaver's state: nothing to warm up, the balanced owner restores"));
    }

    /** With a standby each, a leaver's tasks go to the members holding their warm copies. */
    @Test
    void standbysAreSpreadAndTakeOverWhenTheirActiveLeaves() {
        Group g = new Group(2, 6);
        g.standbys = 1;
        for (int i = 0; i < 3; i++) {
            g.join(i, 1, 0);
        }
        Map<ProcessId, KafkaStreamsAssignment> by = assign(g);
        for (KafkaStreamsAssignment a : by.values()) {
            assertEquals(4, tasks(a, AssignedTask.Type.STANDBY).size(), "12 standbys over 3 members");
        }
        takeUp(g, by, 10);
        Member gone = g.members.values().iterator().next();
        g.members.remove(gone.id);
        g.members.values().forEach(m -> m.otherLag = 50_000);
        by = assign(g);
        assertEquals(List.of(List.of(3, 3), List.of(3, 3)), perStage(by, 2));
        for (KafkaStreamsAssignment a : by.values()) {
            Member m = g.members.get(a.processId());
            for (TaskId t : tasks(a, AssignedTask.Type.ACTIVE)) {
                assertTrue(m.lagFor(t) <= g.acceptableLag, t + " went to a member without its state");
            }
            assertEquals(6, tasks(a, AssignedTask.Type.STANDBY).size(), "each survivor holds a copy of the other's");
        }
    }

    @Test
    void sharesFollowThreadsAndOddCountsKeepTotalsEven() {
        Group g = new Group(2, 6);
        g.join(1, 2, 0);
        g.join(2, 1, 0);
        assertEquals(List.of(List.of(4, 4), List.of(2, 2)), perStage(assign(g), 2));

        Group odd = new Group(2, 5);
        odd.join(1, 1, 0);
        odd.join(2, 1, 0);
        List<List<Integer>> rows = perStage(assign(odd), 2);
        rows.forEach(row -> assertEquals(5, row.get(0) + row.get(1), "totals even: " + rows));
        rows.forEach(row -> row.forEach(n -> assertTrue(n == 2 || n == 3, "each stage within one task: " + rows)));
    }

    @Test
    void statelessTasksAreDealtToo() {
        Group g = new Group(2, 6);
        for (int p = 0; p < 6; p++) {
            TaskId id = new TaskId(1, p);
            g.tasks.put(id, new Task(id, false));
        }
        g.standbys = 1;
        Member a = g.join(1, 1, 0);
        g.tasks.keySet().forEach(a.active::add);
        g.join(2, 1, 5_000_000);
        Map<ProcessId, KafkaStreamsAssignment> by = assign(g);
        // the stateless stage moves at once (no state to warm); the stateful one waits for warm-ups
        assertEquals(List.of(List.of(6, 3), List.of(0, 3)), perStage(by, 2));
    }

    /**
     * Many random groups: the assignment is always valid; with every member caught up each stage is within one
     * task per member (equal threads); else no task is active on a lagging member while a caught-up one exists,
     * and the warm-ups stay within max.warmup.replicas.
     */
    static boolean caughtUp(Group g, Member m, TaskId t) {
        long lag = m.lagFor(t);
        return lag == RUNNING || (lag >= 0 && lag <= g.acceptableLag);
    }

    @Test
    void randomShapes() {
        Random r = new Random(19);
        for (int round = 0; round < 2_000; round++) {
            int subtopologies = 1 + r.nextInt(3);
            Group g = new Group(subtopologies, 1 + r.nextInt(12));
            g.standbys = r.nextInt(3);
            g.maxWarmups = 1 + r.nextInt(4);
            int members = 1 + r.nextInt(5);
            boolean allCaughtUp = r.nextBoolean();
            for (int i = 0; i < members; i++) {
                g.join(i, 1, allCaughtUp ? r.nextInt(10_001) : r.nextInt(20_000));
            }
            List<Member> ms = new ArrayList<>(g.members.values());
            for (TaskId t : g.tasks.keySet()) {
                if (r.nextInt(4) > 0) {
                    ms.get(r.nextInt(ms.size())).active.add(t);
                }
                if (!allCaughtUp && r.nextInt(3) == 0) {
                    ms.get(r.nextInt(ms.size())).lags.put(t, (long) r.nextInt(10) - 3); // -3: unknown offset sum
                }
            }
            Map<ProcessId, KafkaStreamsAssignment> by = assign(g);
            Map<TaskId, Integer> copies = new HashMap<>();
            for (KafkaStreamsAssignment a : by.values()) {
                Member m = g.members.get(a.processId());
                for (TaskId t : tasks(a, AssignedTask.Type.ACTIVE)) {
                    boolean anyCaughtUp = g.members.values().stream().anyMatch(o -> caughtUp(g, o, t));
                    assertTrue(caughtUp(g, m, t) || !anyCaughtUp, "round " + round + ": " + t + " on a lagging member");
                }
                tasks(a, AssignedTask.Type.STANDBY).forEach(t -> copies.merge(t, 1, Integer::sum));
            }
            int expected = Math.min(g.standbys, members - 1);
            int warmups = 0;
            for (TaskId t : g.tasks.keySet()) {
                int n = copies.getOrDefault(t, 0);
                assertTrue(n == expected || n == expected + 1, "round " + round + ": " + t + " has " + n + " copies");
                warmups += n - expected;
            }
            assertTrue(warmups <= g.maxWarmups, "round " + round + ": " + warmups + " warm-ups");
            if (allCaughtUp) {
                int partitions = g.tasks.size() / subtopologies;
                for (List<Integer> row : perStage(by, subtopologies)) {
                    for (int n : row) {
                        assertTrue(n == partitions / members || n == (partitions + members - 1) / members,
                                "round " + round + ": " + perStage(by, subtopologies));
                    }
                }
            }
        }
    }
}
