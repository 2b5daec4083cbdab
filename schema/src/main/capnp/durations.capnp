@0x94317158fa77dd92;

# ktest's test_durations.capnp: per result key statistics, entries sorted by test in byte order.

using Java = import "java.capnp";
$Java.package("org.ktestci.schema.capnp");
$Java.outerClassname("DurationsSchema");

struct Duration {
    test        @0 :Text;
    duration    @1 :UInt64;
    nr          @2 :UInt64;
    passed      @3 :UInt64;
    failed      @4 :UInt64;
}

struct Durations {
    entries     @0 :List(Duration);
}
