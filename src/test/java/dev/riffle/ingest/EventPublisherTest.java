package dev.riffle.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.riffle.core.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Backpressure with a producer that answers only when told to, like a Kafka that is down or slow. */
class EventPublisherTest {
    final IngestCounters counters = new IngestCounters();
    final MockProducer<String, byte[]> producer = new MockProducer<>(false, null, new StringSerializer(),
            new ByteArraySerializer());
    final EventPublisher publisher = new EventPublisher(producer, "events", new MemoryBudget(1_000), counters);

    static List<Event> events(String host, int n) {
        List<Event> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Event.of(1_700_000_000_000_000L + i, host, "s" + i, List.of("meter"), 1.0));
        }
        return out;
    }

    /** Fills the memory budget, then publishes from another thread, as a TCP connection would. */
    CompletableFuture<Ack> publishOnceFull(int events) {
        while (publisher.unackedBytes() < 900) {
            publisher.offer(events("fill", 1), 1L);
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return publisher.publish(events("tcp", events), 1L);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void oneRecordPerHostKeyedByHostAndStampedWithTheEarliestEvent() {
        List<Event> mixed = new ArrayList<>(events("a", 2));
        mixed.addAll(events("b", 1));
        mixed.add(Event.of(1_600_000_000_000_000L, "a", "early", List.of(), null));
        publisher.offer(mixed, 1L);
        assertEquals(List.of("a", "b"), producer.history().stream().map(r -> r.key()).toList());
        assertEquals(1_600_000_000_000L, producer.history().get(0).timestamp());
    }

    @Test
    void aSpreadHostGoesToThePartitionOfEachServiceKeyedByTheHostOthersByTheirKey() {
        Node node = new Node(0, "localhost", 9092);
        List<PartitionInfo> six = new ArrayList<>();
        for (int p = 0; p < 6; p++) {
            six.add(new PartitionInfo("events", p, node, new Node[] {node}, new Node[] {node}));
        }
        MockProducer<String, byte[]> sixPartitions = new MockProducer<>(new Cluster("c", List.of(node), six,
                Set.of(), Set.of()), true, null, new StringSerializer(), new ByteArraySerializer());
        EventPublisher spreading = new EventPublisher(sixPartitions, "events", new MemoryBudget(10_000_000), counters,
                Set.of("statsbox"));
        List<Event> mixed = new ArrayList<>(events("statsbox", 60));
        mixed.addAll(events("web1", 60));
        spreading.offer(mixed, 1L);
        spreading.offer(events("statsbox", 60), 2L); // the same services again: the same partitions

        Map<String, Set<Integer>> partitionsOfService = new HashMap<>();
        int web1Records = 0;
        for (var r : sixPartitions.history()) {
            List<Event> in = dev.riffle.core.EventCodec.decode(r.value());
            assertTrue(in.stream().allMatch(e -> e.host().equals(r.key())), "one host per record, its key");
            if (r.key().equals("web1")) {
                assertNull(r.partition(), "a host not spread goes by its key");
                web1Records++;
                continue;
            }
            for (Event e : in) {
                assertEquals(EventPublisher.spreadPartition("statsbox", e.service(), 6), r.partition());
                partitionsOfService.computeIfAbsent(e.service(), s -> new HashSet<>()).add(r.partition());
            }
        }
        assertEquals(1, web1Records);
        assertEquals(60, partitionsOfService.size());
        assertTrue(partitionsOfService.values().stream().allMatch(p -> p.size() == 1));
        Set<Integer> used = new HashSet<>();
        partitionsOfService.values().forEach(used::addAll);
        assertEquals(6, used.size(), "60 services over 6 partitions use them all: " + used);
        assertEquals(180, counters.published());
    }

    @Test
    void theSpreadPartitionIsAStableHashOfHostAndService() {
        // murmur2 as Kafka's own partitioner computes it: the same in every bridge, version and restart
        assertEquals(org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                "statsbox\tapi.requests".getBytes(java.nio.charset.StandardCharsets.UTF_8))) % 6,
                EventPublisher.spreadPartition("statsbox", "api.requests", 6));
        assertEquals(EventPublisher.spreadPartition("statsbox", "api.requests", 12),
                EventPublisher.spreadPartition("statsbox", "api.requests", 12));
    }

    @Test
    void aHugeBatchOfOneHostIsSplitIntoSeveralRecords() {
        EventPublisher roomy = new EventPublisher(producer, "events", new MemoryBudget(10_000_000), counters);
        roomy.offer(events("big", 2_500), 1L);
        assertEquals(List.of(1_000, 1_000, 500), producer.history().stream()
                .map(r -> dev.riffle.core.EventCodec.decode(r.value()).size()).toList());
    }

    @Test
    void udpDropsAndCountsWhenKafkaHasNotTakenTheBacklogThenRecovers() {
        for (int i = 0; i < 20; i++) {
            publisher.offer(events("h" + i, 1), 1L);
        }
        int taken = producer.history().size();
        assertTrue(taken > 1 && taken < 20, "taken " + taken);
        assertEquals(20 - taken, counters.count(IngestCounters.Reason.MEMORY_FULL));
        assertTrue(publisher.unackedBytes() <= 1_000);

        while (producer.completeNext()) {
            // Kafka is back and acknowledges everything held
        }
        assertEquals(0, publisher.unackedBytes());
        assertEquals(taken, counters.published());
        publisher.offer(events("again", 1), 1L);
        assertEquals(taken + 1, producer.history().size());
    }

    @Test
    void tcpWaitsForRoomInsteadOfGrowing() throws Exception {
        CompletableFuture<Ack> tcp = publishOnceFull(5);
        assertThrows(TimeoutException.class, () -> tcp.get(300, TimeUnit.MILLISECONDS));
        assertFalse(producer.history().stream().anyMatch(r -> r.key().equals("tcp")));
        while (producer.completeNext()) {
            // acknowledging makes room
        }
        tcp.get(10, TimeUnit.SECONDS);
        assertTrue(producer.history().stream().anyMatch(r -> r.key().equals("tcp")));
    }

    @Test
    void failedDeliveryIsCountedAndReleasesItsMemory() {
        publisher.offer(events("h", 3), 1L);
        producer.errorNext(new RuntimeException("broker gone"));
        assertEquals(3, counters.count(IngestCounters.Reason.PUBLISH_FAILED));
        assertEquals(0, publisher.unackedBytes());
    }

    @Test
    void closingWakesAWaitingTcpConnectionWithAFailedAck() throws Exception {
        CompletableFuture<Ack> tcp = publishOnceFull(1);
        Thread.sleep(100);
        publisher.close();
        Ack ack = tcp.get(10, TimeUnit.SECONDS);
        assertTrue(ack.settled());
        assertEquals("the bridge is closing", ack.failure());
    }

    @Test
    void aTcpAckSettlesOnlyWhenKafkaAcknowledgedEveryRecord() throws Exception {
        EventPublisher roomy = new EventPublisher(producer, "events", new MemoryBudget(10_000_000), counters);
        List<Event> mixed = new ArrayList<>(events("a", 2));
        mixed.addAll(events("b", 2)); // two hosts: two records
        Ack ack = roomy.publish(mixed, 1L);
        assertFalse(ack.settled(), "settled before Kafka answered");
        assertTrue(producer.completeNext());
        assertFalse(ack.settled(), "settled with one of two records acknowledged");
        assertEquals(2, counters.published());
        assertTrue(producer.completeNext());
        assertTrue(ack.await(1_000));
        assertNull(ack.failure());
        assertEquals(4, counters.published());
    }

    @Test
    void aTcpAckFailsWhenKafkaRefusesAnyRecord() throws Exception {
        EventPublisher roomy = new EventPublisher(producer, "events", new MemoryBudget(10_000_000), counters);
        List<Event> mixed = new ArrayList<>(events("a", 2));
        mixed.addAll(events("b", 3));
        Ack ack = roomy.publish(mixed, 1L);
        assertTrue(producer.completeNext());
        assertTrue(producer.errorNext(new RuntimeException("broker gone")));
        assertTrue(ack.await(1_000));
        assertTrue(ack.failure().contains("broker gone"), ack.failure());
        assertEquals(2, counters.published());
        assertEquals(3, counters.count(IngestCounters.Reason.PUBLISH_FAILED));
    }

    @Test
    void ownEventsAreNeitherPublishedNorDroppedInput() {
        publisher.offerOwn(events("riffle", 3), 1L);
        assertTrue(producer.completeNext());
        assertEquals(0, counters.published());
        publisher.offerOwn(events("riffle", 2), 1L);
        assertTrue(producer.errorNext(new RuntimeException("broker gone")));
        assertEquals(0, counters.count(IngestCounters.Reason.PUBLISH_FAILED));
        assertEquals(2, counters.ownLost());
    }
}
