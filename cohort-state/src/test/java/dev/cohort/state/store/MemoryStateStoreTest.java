package dev.cohort.state.store;

/** The contract against the in-memory store (what the unit tests of durable servers use). */
class MemoryStateStoreTest extends StateStoreContract {
    @Override
    protected StateStore open() {
        return StateStore.inMemory();
    }
}
