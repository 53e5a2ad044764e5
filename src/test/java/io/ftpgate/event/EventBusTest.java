package io.ftpgate.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventBusTest {

    private static final SessionEvent.Origin ORIGIN = new SessionEvent.Origin("abc", "192.0.2.7:40000");

    @Test
    void everySubscriberSeesEveryEventInOrderEvenWhenOneThrows() {
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        EventBus bus = EventBus.of(e -> first.add(e.getClass().getSimpleName()), e -> {
            throw new IllegalStateException("a broken subscriber");
        });
        bus.subscribe(e -> second.add(e.getClass().getSimpleName()));
        bus.publish(new SessionEvent.Opened(ORIGIN, "l", "reverse", "192.0.2.1:21"));
        bus.publish(new SessionEvent.PinholeArmed(ORIGIN, SessionEvent.Side.CLIENT, 61000));
        bus.publish(new SessionEvent.Closed(ORIGIN, "client-quit", null, null, 5, 0, 0));
        assertThat(first).containsExactly("Opened", "PinholeArmed", "Closed");
        assertThat(second).isEqualTo(first);
    }

    @Test
    void sidesAreWrittenAsTheAuditLogWritesThem() {
        assertThat(SessionEvent.Side.CLIENT.text()).isEqualTo("client");
        assertThat(SessionEvent.Side.SERVER.text()).isEqualTo("server");
    }
}
