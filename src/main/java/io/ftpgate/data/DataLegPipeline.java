package io.ftpgate.data;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * The pipeline of every data leg of the relay path, accepted by a pinhole or connected by the gateway, with the
 * names of its handlers:
 * <pre>
 *   [tls]          PROT P: TLS on the data connection (FTPS; added here, before anything reads the leg)
 *   early-data     {@link EarlyDataBuffer}: keeps what arrives before the relay starts
 *   idle, relay    added by {@link DataRelay} when the flow is committed (early-data is then removed)
 * </pre>
 */
public final class DataLegPipeline extends ChannelInitializer<Channel> {

    /** Handler name of a data leg's TLS handler (PROT P), when there is one. */
    public static final String TLS = "tls";
    /** Handler name of the {@link EarlyDataBuffer}. */
    public static final String EARLY_DATA = "early-data";
    /** Handler name of the relay's idle timer. */
    public static final String IDLE = "idle";
    /** Handler name of the relay's forwarding handler. */
    public static final String RELAY = "relay";

    private final boolean accepted;

    /**
     * @param accepted true for a leg a pinhole accepted (its socket options are applied here); false for a leg
     *                 the gateway connects (its bootstrap carries them)
     */
    DataLegPipeline(boolean accepted) {
        this.accepted = accepted;
    }

    @Override
    protected void initChannel(Channel ch) {
        install(ch, accepted);
    }

    /** Sets up the pipeline (and, for an accepted leg, the socket options) of a new leg. */
    static void install(Channel ch, boolean accepted) {
        if (accepted) {
            DataLegs.apply(ch);
        }
        ch.pipeline().addLast(EARLY_DATA, new EarlyDataBuffer());
    }
}
