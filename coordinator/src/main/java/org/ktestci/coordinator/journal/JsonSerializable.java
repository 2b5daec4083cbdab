package org.ktestci.coordinator.journal;

/**
 * Marker of journal events and snapshots: bound to Pekko's {@code jackson-json} serializer (storage.md §7.1),
 * so the journal stays readable with SQL and evolvable with Jackson migrations. Cluster messages use CBOR.
 */
public interface JsonSerializable {
}
