package org.ktestci.coordinator.execution;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.ktestci.coordinator.scheduling.HostHealth;
import org.ktestci.coordinator.scheduling.JobWindow;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The workers view of {@code /api/v1/workers}: every connected host with its executors' slots, and every
 * configured host that is not connected, with the window's health record. Built from futures over a copy of the
 * {@link WorkerGateway}'s hosts, so the gateway's own state is never touched off its thread.
 */
final class WorkersListing {
    private WorkersListing() {
    }

    static CompletionStage<WorkerGateway.WorkersView> of(List<Map.Entry<String, GatewayState.Host>> hosts,
                                                         List<String> configured, Function<String, HostSlots> cfg,
                                                         ActorRef<JobWindow.Command> window, Duration timeout,
                                                         Scheduler scheduler) {
        CompletionStage<JobWindow.LeaseSummary> leases = AskPattern.ask(window, JobWindow.GetLeases::new, timeout,
                scheduler);
        List<CompletableFuture<List<Executor.SlotView>>> perHost = new ArrayList<>();
        for (Map.Entry<String, GatewayState.Host> e : hosts) {
            List<CompletableFuture<Executor.SlotView>> slots = new ArrayList<>();
            for (ActorRef<Executor.Command> ex : e.getValue().executors()) {
                slots.add(AskPattern.<Executor.Command, Executor.SlotView>ask(ex, Executor.GetSlot::new, timeout,
                        scheduler).toCompletableFuture());
            }
            perHost.add(CompletableFuture.allOf(slots.toArray(CompletableFuture[]::new))
                    .thenApply(v -> slots.stream().map(CompletableFuture::join).toList()));
        }
        return CompletableFuture.allOf(perHost.toArray(CompletableFuture[]::new))
                .thenCombine(leases.toCompletableFuture(), (v, summary) -> {
                    long now = System.currentTimeMillis();
                    List<WorkerGateway.HostView> out = new ArrayList<>();
                    for (int i = 0; i < hosts.size(); i++) {
                        GatewayState.Host h = hosts.get(i).getValue();
                        HostHealth health = summary.hosts().getOrDefault(h.hello().host(), new HostHealth(0, 0, 0));
                        String state = health.until() > now ? "quarantined" : h.reachable() ? "up" : "unreachable";
                        out.add(new WorkerGateway.HostView(h.hello().host(), h.hello().arch(), h.slots(),
                                h.slotsFromConfig() ? "config" : "announced", state, Optional.of(h.hello()), health,
                                perHost.get(i).join()));
                    }
                    for (String c : configured) {
                        if (hosts.stream().noneMatch(e -> e.getKey().equals(c))) {
                            HostSlots hs = cfg.apply(c);
                            HostHealth health = summary.hosts().getOrDefault(c, new HostHealth(0, 0, 0));
                            out.add(new WorkerGateway.HostView(c, hs.arch().orElse(""), hs.slots().orElse(0), "config",
                                    "down", Optional.empty(), health, List.of()));
                        }
                    }
                    return new WorkerGateway.WorkersView(out);
                });
    }
}
