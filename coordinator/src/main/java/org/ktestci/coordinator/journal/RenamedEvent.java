package org.ktestci.coordinator.journal;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads a journal entry written under a class's earlier name as the class that now carries it; the fields are
 * unchanged (protocol.md §5: a rename needs a migration). {@code reference.conf} binds each old manifest (the old
 * class name) to a subclass naming the new class; entries written since carry the new name and need none.
 */
public abstract class RenamedEvent extends JacksonMigration {
    private final Class<?> now;

    protected RenamedEvent(Class<?> now) {
        this.now = now;
    }

    @Override
    public int currentVersion() {
        return 2;
    }

    @Override
    public String transformClassName(int fromVersion, String className) {
        return now.getName();
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
        return json;
    }
}
