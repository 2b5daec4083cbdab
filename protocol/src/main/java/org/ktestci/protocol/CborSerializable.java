package org.ktestci.protocol;

/** Marker for every message that crosses the cluster; bound to Pekko's {@code jackson-cbor} serializer. */
public interface CborSerializable {
}
