#!/bin/bash
# Captures the golden bytes of NftMessagesTest: what `nft` itself sends to the kernel for each command below
# (the one sendmsg that carries the batch, read with strace), in a scratch network namespace that holds
# ruleset.nft, so the host's tables are never touched. `nft --debug=mnl` prints the same messages decoded,
# but leaves out the flags beyond the first four; strace's dump is the bytes themselves.
# Usage (as root, needs nft and strace): src/test/resources/kernel/golden/capture.sh
set -euo pipefail
cd "$(dirname "$0")"
NS=kp-golden
ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
trap 'ip netns del "$NS" 2>/dev/null || true' EXIT
ip netns exec "$NS" nft -f ruleset.nft
capture() {   # capture NAME NFT-COMMAND...
    local name=$1; shift
    local trace; trace=$(mktemp)
    ip netns exec "$NS" strace -e trace=sendmsg -e write=all -x -s 0 -o "$trace" nft "$@"
    {
        echo "# $(nft --version), kernel $(uname -r): the batch nft sends for"
        echo "# nft $*"
        # strace's hex dump: " | 00000  14 00 00 00 ...  ascii |"; keep the 16 hex bytes of each line.
        grep '^ | [0-9a-f]\{5\}  ' "$trace" | cut -c11-58 | tr -s ' ' | sed 's/^ //; s/ $//'
    } > "$name.hex"
    rm -f "$trace"
}
# The kernel's answer when the transaction is refused: the last message nft reads (an NLMSG_ERROR, ENOENT).
capture_reply() {   # capture_reply NAME NFT-COMMAND...
    local name=$1; shift
    local trace; trace=$(mktemp)
    ip netns exec "$NS" strace -e trace=recvmsg -e read=all -x -s 0 -o "$trace" nft "$@" 2>/dev/null || true
    {
        echo "# $(nft --version), kernel $(uname -r): the kernel's last answer to"
        echo "# nft $*"
        # the last buffer's dump: the lines after the last "bytes in buffer" line
        awk '/bytes in buffer/ { n = 0; delete l } /^ \| [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { l[n++] = $0 } END { for (i = 0; i < n; i++) print l[i] }' \
            "$trace" | cut -c11-58 | tr -s ' ' | sed 's/^ //; s/ $//'
    } > "$name.hex"
    rm -f "$trace"
}
# A query outside a batch (nft get element): the last request nft sends and every answer after it.
capture_query() {   # capture_query NAME NFT-COMMAND...: NAME.hex (request) and NAME-reply.hex (answers)
    local name=$1; shift
    local trace; trace=$(mktemp)
    ip netns exec "$NS" strace -e trace=sendto,recvmsg -e write=all -e read=all -x -s 0 -o "$trace" nft "$@" >/dev/null
    awk -v req="$name.req" -v rep="$name.rep" '
        /^[0-9]*[ ]*sendto\(/ { mode = "req"; n = 0; m = 0; delete q; delete r; next }
        /^[0-9]*[ ]*recvmsg\(/ { if (mode != "") mode = "rep"; next }
        /^ \| [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { if (mode == "req") q[n++] = $0; else if (mode == "rep") r[m++] = $0 }
        END { for (i = 0; i < n; i++) print q[i] > req; for (i = 0; i < m; i++) print r[i] > rep }' "$trace"
    for part in req rep; do
        {
            if [ "$part" = req ]; then echo "# $(nft --version), kernel $(uname -r): the query nft sends for"
            else echo "# $(nft --version), kernel $(uname -r): the kernel's answers to"; fi
            echo "# nft $*"
            cut -c11-58 "$name.$part" | tr -s ' ' | sed 's/^ //; s/ $//'
        } > "$name$([ "$part" = rep ] && echo -reply).hex"
        rm -f "$name.$part"
    done
    rm -f "$trace"
}
capture add-armed4 add element inet ftpgate_t armed4 '{ 10.77.1.2 . 40000 timeout 30s }'
capture add-target4 add element inet ftpgate_t target4 '{ 10.77.1.2 . 40000 timeout 30s : 10.77.2.2 . 9000 }'
capture add-pinhole4 add element inet ftpgate_t armed4 '{ 10.77.1.2 . 40001 timeout 2500ms }' \; \
    add element inet ftpgate_t target4 '{ 10.77.1.2 . 40001 timeout 2500ms : 10.77.2.2 . 65535 }'
capture add-pinhole6 add element inet ftpgate_t armed6 '{ fd77:1::2 . 40002 timeout 30s }' \; \
    add element inet ftpgate_t target6 '{ fd77:1::2 . 40002 timeout 30s : fd77:2::2 . 21 }'
# Since the kernel path is wired: a map element without timeout, and one whose data is an address alone.
capture add-target4-permanent add element inet ftpgate_t target4 '{ 10.77.1.2 . 40000 : 10.77.2.2 . 9000 }'
capture add-source4 add element inet ftpgate_t source4 '{ 10.77.1.2 . 40000 : 10.77.2.1 }'
capture delete-pinhole4 delete element inet ftpgate_t armed4 '{ 10.77.1.2 . 40001 }' \; \
    delete element inet ftpgate_t target4 '{ 10.77.1.2 . 40001 }'
capture delete-pinhole6 delete element inet ftpgate_t armed6 '{ fd77:1::2 . 40002 }' \; \
    delete element inet ftpgate_t target6 '{ fd77:1::2 . 40002 }'
capture_reply reply-delete-missing delete element inet ftpgate_t armed4 '{ 10.77.1.2 . 40001 }'
# A flow's counter, as the count chain would have made it (the values are set by hand here).
ip netns exec "$NS" nft add element inet ftpgate_t flows4 '{ 10.77.1.2 . 40000 . original counter packets 5 bytes 1268 }'
capture_query get-flow4 get element inet ftpgate_t flows4 '{ 10.77.1.2 . 40000 . original }'
# The impostors counter, read and zeroed in one step (NFT_MSG_GETOBJ_RESET). nft 1.0.6 leaves the padding
# after each string attribute as it found it in memory: NftCountersTest ignores those bytes.
capture_query reset-impostors reset counter inet ftpgate_t impostors
