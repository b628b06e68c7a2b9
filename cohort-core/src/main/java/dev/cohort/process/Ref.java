package dev.cohort.process;

/**
 * A reference unique across the cluster for the life of a node incarnation, as Erlang's
 * {@code make_ref()}: it names a monitor, a call or a timer. Value semantics.
 *
 * @param node the node that made it
 * @param creation that node's incarnation
 * @param id a number unique on that incarnation
 */
public record Ref(String node, long creation, long id) {
    @Override
    public String toString() {
        return "#Ref<" + node + "." + id + ">";
    }
}
