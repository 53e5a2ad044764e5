package io.ftpgate.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftpgate.config.ListenerConfig;
import io.ftpgate.config.Timeouts;
import io.ftpgate.data.RelayDataPath;
import io.ftpgate.data.Transport;
import io.ftpgate.event.EventBus;
import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import io.ftpgate.nat.AddressTranslation;
import io.ftpgate.net.Cidr;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.policy.Admission;
import io.ftpgate.policy.GatewayPolicy;
import io.ftpgate.policy.Limits;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The client control pipeline's seams: a session created only once a decoder ahead of it (PROXY protocol) has
 * named the real client, with that client's address in its policy checks and events; and the place of a TLS
 * handler.
 */
class ControlPipelinesTest {

    private final List<SessionEvent> events = new CopyOnWriteArrayList<>();

    private ListenerContext forwardListener(String allowClient) {
        ListenerConfig lc = ListenerConfig.builder("proxied").listen(new HostAndPort("127.0.0.1", 2121))
                .allowClient(List.of(Cidr.parse(allowClient))).build();
        Transport transport = Transport.detect(true);
        ListenerContext.Shared shared = new ListenerContext.Shared(transport, new RelayDataPath(transport),
                EventBus.of(events::add), new Admission(Limits.DEFAULTS, Clock.systemUTC()),
                Executors.newSingleThreadExecutor(), new AtomicBoolean());
        return new ListenerContext(lc, null, new AddressTranslation(null), lc.addressPolicy(Set.of()),
                GatewayPolicy.DEFAULTS, Timeouts.DEFAULTS, null, null, shared);
    }

    private EmbeddedChannel channel(ListenerContext ctx) {
        return new EmbeddedChannel(ControlPipelines.client(() -> ctx, true,
                new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
    }

    private static String written(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; b.release()) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
        }
        return sb.toString();
    }

    @Test
    void theSessionStartsWithTheAddressTheDecoderNamed() {
        EmbeddedChannel ch = channel(forwardListener("203.0.113.0/24"));
        assertThat(events).as("no session before the client is known").isEmpty();
        assertThat(written(ch)).isEmpty();
        ch.pipeline().fireUserEventTriggered(new ControlPipelines.ClientIdentified(
                new InetSocketAddress("203.0.113.5", 40000), new InetSocketAddress("192.0.2.1", 21)));
        assertThat(events.get(0)).isInstanceOfSatisfying(SessionEvent.Opened.class, o -> {
            assertThat(o.origin().client()).isEqualTo("203.0.113.5:40000");
            assertThat(o.gateway()).isEqualTo("192.0.2.1:21");
        });
        assertThat(written(ch)).startsWith("220 ");
        assertThat(ch.pipeline().names()).doesNotContain(ControlPipelines.SESSION_START)
                .contains(ControlPipelines.LINE_DECODER, ControlPipelines.SESSION);
        ch.finishAndReleaseAll();
    }

    @Test
    void policyJudgesTheNamedClientNotTheConnectionsPeer() {
        EmbeddedChannel ch = channel(forwardListener("203.0.113.0/24"));
        ch.pipeline().fireUserEventTriggered(new ControlPipelines.ClientIdentified(
                new InetSocketAddress("198.51.100.9", 40001), new InetSocketAddress("192.0.2.1", 21)));
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(SessionEvent.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo(Reason.CLIENT_NOT_ALLOWED);
            assertThat(r.origin().client()).isEqualTo("198.51.100.9:40001");
        }));
        assertThat(written(ch)).startsWith("421 ");
        ch.finishAndReleaseAll();
    }

    @Test
    void aTlsHandlerGoesInFrontOfTheLineDecoder() {
        EmbeddedChannel ch = channel(forwardListener("0.0.0.0/0"));
        ch.pipeline().fireUserEventTriggered(new ControlPipelines.ClientIdentified(
                new InetSocketAddress("203.0.113.5", 40000), new InetSocketAddress("192.0.2.1", 21)));
        ControlPipelines.addTls(ch.pipeline(), new ChannelInboundHandlerAdapter());
        List<String> names = ch.pipeline().names();
        assertThat(names.indexOf(ControlPipelines.TLS)).isEqualTo(names.indexOf(ControlPipelines.LINE_DECODER) - 1);
        ch.finishAndReleaseAll();
    }
}
