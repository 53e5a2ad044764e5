package io.ftpgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Sends a PROXY protocol header (Netty's {@link HAProxyMessageEncoder}) as the first bytes of a connection ftpgate
 * makes, so that a server that accepts one sees the real client rather than the gateway; then removes itself.
 * Placed first in the pipeline, the header goes out before anything else, a TLS ClientHello included.
 */
public final class ProxyHeaderWriter extends ChannelInboundHandlerAdapter {

    private final ProxyVersion version;
    private final InetSocketAddress source;
    private final InetSocketAddress destination;

    /**
     * A writer of a {@code version} header ({@link ProxyVersion#V1} or {@link ProxyVersion#V2}) naming
     * {@code source} as the client of {@code destination} (the address that client connected to).
     */
    public ProxyHeaderWriter(ProxyVersion version, InetSocketAddress source, InetSocketAddress destination) {
        if (version != ProxyVersion.V1 && version != ProxyVersion.V2) {
            throw new IllegalArgumentException("a PROXY header is sent as v1 or v2, not " + version.text());
        }
        this.version = version;
        this.source = source;
        this.destination = destination;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(encode(version, source, destination));
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }

    /**
     * The header's bytes. Both addresses must be of one family (TCP4 or TCP6); a destination of the other family
     * (a dual-stack gateway) is given as the unspecified address of the source's.
     */
    public static ByteBuf encode(ProxyVersion version, InetSocketAddress source, InetSocketAddress destination) {
        boolean v4 = source.getAddress() instanceof Inet4Address;
        InetAddress dst = destination.getAddress();
        int dstPort = destination.getPort();
        if ((dst instanceof Inet4Address) != v4) {
            dst = unspecified(v4);
            dstPort = 0;
        }
        HAProxyMessage m = new HAProxyMessage(version == ProxyVersion.V1 ? HAProxyProtocolVersion.V1
                : HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
                v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6, source.getAddress().getHostAddress(),
                dst.getHostAddress(), source.getPort(), dstPort);
        EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        encoder.writeOutbound(m);
        ByteBuf bytes = encoder.readOutbound();
        encoder.finishAndReleaseAll();
        return bytes;
    }

    private static InetAddress unspecified(boolean v4) {
        try {
            return InetAddress.getByAddress(new byte[v4 ? 4 : 16]);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for a 4- or 16-byte address
        }
    }
}
