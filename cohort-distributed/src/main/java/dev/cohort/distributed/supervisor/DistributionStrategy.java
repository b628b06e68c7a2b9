package dev.cohort.distributed.supervisor;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Decides which member of a {@link DistributedSupervisor} runs a child.
 *
 * <p>{@link #choose} must be a pure function of its arguments: when a member fails, every
 * survivor evaluates it for each orphaned child and only the member it names starts the child,
 * which is how a child restarts exactly once without a leader. {@link #placeNew} may differ (for
 * example, be random), since only the node that starts a child evaluates it.
 */
@FunctionalInterface
public interface DistributionStrategy {
    /**
     * The member that should run {@code childId}, or null to refuse (the child then waits until
     * the membership changes).
     *
     * @param members the alive members, sorted by name, never empty
     */
    String choose(String childId, List<String> members);

    /** Where a child that is started now goes; by default {@link #choose}. */
    default String placeNew(String childId, List<String> members) {
        return choose(childId, members);
    }

    /** Consistent hashing with 128 virtual nodes per member (Horde's default). */
    static DistributionStrategy uniform() {
        return uniform(128);
    }

    /**
     * Consistent hashing over a ring with {@code virtualNodes} points per member: a member that
     * joins or leaves takes over or gives up about 1/n of the children, and no others move.
     */
    static DistributionStrategy uniform(int virtualNodes) {
        if (virtualNodes < 1) throw new IllegalArgumentException("virtualNodes must be at least 1, not " + virtualNodes);
        HashRing.Cache rings = new HashRing.Cache(virtualNodes);
        return (id, members) -> rings.ring(members).owner(id);
    }

    /**
     * New children go to a uniformly random member. A failed member's children are spread by
     * rendezvous hashing, which every survivor computes alike.
     */
    static DistributionStrategy random() {
        return new DistributionStrategy() {
            @Override
            public String choose(String id, List<String> members) {
                return HashRing.rendezvous(id, members);
            }

            @Override
            public String placeNew(String id, List<String> members) {
                return members.get(ThreadLocalRandom.current().nextInt(members.size()));
            }
        };
    }

    /** {@link #uniform()} that refuses to place anything while fewer than {@code size} members are alive. */
    static DistributionStrategy quorum(int size) {
        return quorum(size, uniform());
    }

    /**
     * {@code inner}, except that nothing is placed while fewer than {@code size} members are
     * alive. The size is fixed, unlike a majority of whatever members are seen (Horde's quorum),
     * so the minority side of a partition cannot believe it has a quorum: of a 3-node cluster
     * with size 2, a node cut off alone starts nothing and takes nothing over.
     */
    static DistributionStrategy quorum(int size, DistributionStrategy inner) {
        if (size < 1) throw new IllegalArgumentException("quorum size must be at least 1, not " + size);
        return new DistributionStrategy() {
            @Override
            public String choose(String id, List<String> members) {
                return members.size() < size ? null : inner.choose(id, members);
            }

            @Override
            public String placeNew(String id, List<String> members) {
                return members.size() < size ? null : inner.placeNew(id, members);
            }
        };
    }
}
