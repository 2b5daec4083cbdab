package org.ktestci.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A coordinator node's answer to {@link IncarnationQuery}: its cluster address ({@code pekko://ktest-ci@host:port})
 * and the UID Pekko drew for this start of the node, which a restart changes.
 */
public record IncarnationReply(@JsonProperty("address") String address, @JsonProperty("uid") long uid)
        implements CborSerializable {
}
