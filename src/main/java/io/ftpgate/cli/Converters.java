package io.ftpgate.cli;

import io.ftpgate.config.ConfigValues;
import io.ftpgate.net.HostAndPort;
import io.ftpgate.net.PortRange;
import io.ftpgate.config.UpstreamMode;
import io.ftpgate.net.Cidr;
import io.ftpgate.policy.UpstreamPolicy;
import java.time.Duration;
import io.ftpgate.proxy.ProxyVersion;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Picocli converters that delegate to {@link ConfigValues}, so a flag is validated exactly like the same key
 * in a configuration file; picocli prefixes the message with the flag name.
 */
final class Converters {

    private Converters() {
    }

    private static <T> T convert(String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    static final class ProxyIn implements ITypeConverter<ProxyVersion> {
        @Override
        public ProxyVersion convert(String value) {
            return Converters.convert(value, v -> ProxyVersion.parse(v, true));
        }
    }

    static final class ProxyOut implements ITypeConverter<ProxyVersion> {
        @Override
        public ProxyVersion convert(String value) {
            return Converters.convert(value, v -> ProxyVersion.parse(v, false));
        }
    }

    static final class Listen implements ITypeConverter<HostAndPort> {
        @Override
        public HostAndPort convert(String value) {
            return Converters.convert(value, ConfigValues::listenAddress);
        }
    }

    static final class Syslog implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            return Converters.convert(value, ConfigValues::auditSyslog);
        }
    }

    static final class Upstream implements ITypeConverter<HostAndPort> {
        @Override
        public HostAndPort convert(String value) {
            return Converters.convert(value, ConfigValues::upstream);
        }
    }

    static final class PublicAddress implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            return Converters.convert(value, ConfigValues::publicAddress);
        }
    }

    static final class Ports implements ITypeConverter<PortRange> {
        @Override
        public PortRange convert(String value) {
            return Converters.convert(value, ConfigValues::portRange);
        }
    }

    static final class Mode implements ITypeConverter<UpstreamMode> {
        @Override
        public UpstreamMode convert(String value) {
            return Converters.convert(value, ConfigValues::upstreamMode);
        }
    }

    static final class DataPath implements ITypeConverter<io.ftpgate.config.DataPathMode> {
        @Override
        public io.ftpgate.config.DataPathMode convert(String value) {
            return Converters.convert(value, t -> ConfigValues.choice(t, io.ftpgate.config.DataPathMode.values()));
        }
    }

    static final class Policy implements ITypeConverter<UpstreamPolicy> {
        @Override
        public UpstreamPolicy convert(String value) {
            return Converters.convert(value, UpstreamPolicy::parse);
        }
    }

    static final class Source implements ITypeConverter<io.ftpgate.policy.Placement.Source> {
        @Override
        public io.ftpgate.policy.Placement.Source convert(String value) {
            return Converters.convert(value, ConfigValues::transparentSource);
        }
    }

    static final class Block implements ITypeConverter<Cidr> {
        @Override
        public Cidr convert(String value) {
            return Converters.convert(value, ConfigValues::cidr);
        }
    }

    static final class Time implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Converters.convert(value, ConfigValues::duration);
        }
    }
}
