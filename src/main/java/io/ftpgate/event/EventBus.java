package io.ftpgate.event;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one publisher of {@link SessionEvent}s. Subscribers are called synchronously, on the publishing event
 * loop, in subscription order: they must be fast and thread-safe (events of different sessions arrive on
 * different threads). A subscriber that throws is logged and does not stop the others or the session.
 */
public final class EventBus {

    private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);

    private final List<Consumer<? super SessionEvent>> subscribers = new CopyOnWriteArrayList<>();

    /** A bus with the given subscribers. */
    @SafeVarargs
    public static EventBus of(Consumer<? super SessionEvent>... subscribers) {
        EventBus bus = new EventBus();
        for (Consumer<? super SessionEvent> s : subscribers) {
            bus.subscribe(s);
        }
        return bus;
    }

    /** Adds a subscriber; it sees the events published from now on. */
    public void subscribe(Consumer<? super SessionEvent> subscriber) {
        subscribers.add(subscriber);
    }

    /** Hands {@code event} to every subscriber. */
    public void publish(SessionEvent event) {
        for (Consumer<? super SessionEvent> s : subscribers) {
            try {
                s.accept(event);
            } catch (RuntimeException e) {
                LOG.error("event subscriber {} failed on {}", s, event.getClass().getSimpleName(), e);
            }
        }
    }
}
