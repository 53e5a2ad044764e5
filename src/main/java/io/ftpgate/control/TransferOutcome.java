package io.ftpgate.control;

import io.ftpgate.data.FlowResult;
import io.ftpgate.protocol.FtpReply;

/**
 * What the client is told at the end of a transfer, and the outcome recorded for it: the server's final reply
 * when the data arrived intact, otherwise the gateway's own 425/426 (RFC 959 §4.2: 425 when the data connection
 * could not be opened, 426 when it was closed or broken and the transfer aborted).
 *
 * @param reply   the final reply for the client
 * @param outcome {@code ok}, {@code failed} or {@code aborted}
 */
record TransferOutcome(FtpReply reply, String outcome) {

    /**
     * Decides the outcome once the server's final reply is in and the flow (if any) has ended.
     *
     * @param finalReply    the server's final reply to the transfer command (or a stand-in)
     * @param aborted       the client sent ABOR
     * @param clientFailure why the client leg failed, or null
     * @param serverFailure why the server leg failed, or null
     * @param result        what the flow moved, or null when no flow ran
     */
    static TransferOutcome of(FtpReply finalReply, boolean aborted, String clientFailure, String serverFailure,
            FlowResult result) {
        boolean positive = finalReply.isPositiveCompletion();
        if (aborted) {
            return new TransferOutcome(positive ? FtpReply.of(426, "Connection closed; transfer aborted.")
                    : finalReply, "aborted");
        } else if (clientFailure != null) {
            return new TransferOutcome(FtpReply.of(425, "Can't open data connection: " + clientFailure + "."),
                    "failed");
        } else if (serverFailure != null && result == null) {
            return new TransferOutcome(positive
                    ? FtpReply.of(425, "Can't open data connection: " + serverFailure + ".") : finalReply, "failed");
        } else if (positive && !result.clean()) {
            return new TransferOutcome(FtpReply.of(426, "Data connection broken; transfer incomplete."), "failed");
        }
        return new TransferOutcome(finalReply, positive ? "ok" : "failed");
    }
}
