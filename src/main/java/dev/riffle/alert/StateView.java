package dev.riffle.alert;

import java.util.function.BiConsumer;

/** The key-value state an evaluator works on: a Kafka Streams store when running, a map in tests and the oracle. */
interface StateView {
    byte[] get(String key);

    void put(String key, byte[] value);

    void delete(String key);

    /** Every entry, in key order. */
    void forEach(BiConsumer<String, byte[]> action);

    /** A plain sorted map: for tests. */
    static StateView inMemory() {
        java.util.TreeMap<String, byte[]> map = new java.util.TreeMap<>();
        return new StateView() {
            @Override
            public byte[] get(String key) {
                return map.get(key);
            }

            @Override
            public void put(String key, byte[] value) {
                map.put(key, value);
            }

            @Override
            public void delete(String key) {
                map.remove(key);
            }

            @Override
            public void forEach(BiConsumer<String, byte[]> action) {
                new java.util.TreeMap<>(map).forEach(action);
            }
        };
    }
}
