package io.ftpgate.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.ftpgate.event.Reason;
import io.ftpgate.event.SessionEvent;
import java.io.IOException;

/**
 * JSON of the admin API: records as objects with their component names, reason codes and sides as the audit
 * log writes them ({@code port-foreign-address}, {@code client}).
 */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new SimpleModule()
            .addSerializer(Reason.class, new StdSerializer<>(Reason.class) {
                @Override
                public void serialize(Reason r, JsonGenerator g, SerializerProvider p) throws IOException {
                    g.writeString(r.code());
                }
            })
            .addSerializer(SessionEvent.Side.class, new StdSerializer<>(SessionEvent.Side.class) {
                @Override
                public void serialize(SessionEvent.Side s, JsonGenerator g, SerializerProvider p)
                        throws IOException {
                    g.writeString(s.text());
                }
            }));

    private Json() {
    }

    /** {@code value} as compact JSON. */
    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** A session event with its {@code type} ({@code TransferFinished} → {@code transfer-finished}). */
    static String event(SessionEvent event) {
        ObjectNode node = MAPPER.valueToTree(event);
        ObjectNode out = MAPPER.createObjectNode().put("type", type(event));
        out.setAll(node);
        return write(out);
    }

    /** The event's type name in the audit log's style: kebab-case of the record name. */
    static String type(SessionEvent event) {
        return TYPE_NAMES.get(event.getClass());
    }

    /** Kebab-case names, computed once per event class (every event sent to every stream asks for one). */
    private static final ClassValue<String> TYPE_NAMES = new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
            return type.getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
        }
    };
}
