#!/bin/sh
# Separate "hosts" on one machine for Open MPI tests: network namespaces on a bridge (needs root
# and iproute2). Used by Tests/LockstepCLITests/NetnsMPICLITests.swift.
#
#   scripts/netns-hosts.sh up NAME NET N DIR   make N namespaces NAMEn1…NAMEnN with addresses NET.1…NET.N
#                                              (NET is three octets, e.g. 10.213.7) on bridge NAMEbr
#                                              (NET.254, in this namespace, where mpirun runs); write
#                                              DIR/hosts (a hostfile) and DIR/agent.sh (mpirun's
#                                              plm_rsh_agent: runs orted in the host's namespace)
#   scripts/netns-hosts.sh down NAME N         remove them (idempotent; also after a partial up)
#
# NAME must be short (interface names are at most 15 characters: NAME + 3).
set -u
cmd=${1:-}
down() {
    name=$1 n=$2 i=1
    while [ "$i" -le "$n" ]; do
        ip netns del "${name}n$i" 2>/dev/null
        ip link del "${name}v$i" 2>/dev/null
        i=$((i + 1))
    done
    ip link del "${name}br" 2>/dev/null
    return 0
}
case "$cmd" in
up)
    [ $# -eq 5 ] || { echo "usage: $0 up NAME NET N DIR" >&2; exit 64; }
    name=$2 net=$3 n=$4 dir=$5
    set -e
    trap 'down "$name" "$n"' EXIT  # a partial up leaves nothing behind
    ip link add "${name}br" type bridge
    ip addr add "$net.254/24" dev "${name}br"
    ip link set "${name}br" up
    : >"$dir/hosts"
    {
        echo '#!/bin/sh'
        echo '# plm_rsh_agent: "agent [ssh options] HOST COMMAND…" runs COMMAND in HOST'"'"'s namespace.'
        echo 'while [ "${1#-}" != "$1" ]; do shift; done'
        echo 'host=$1; shift'
        echo 'case "$host" in'
    } >"$dir/agent.sh"
    i=1
    while [ "$i" -le "$n" ]; do
        ns="${name}n$i"
        ip netns add "$ns"
        ip link add "${name}v$i" type veth peer name "${name}p$i"
        ip link set "${name}p$i" netns "$ns"
        ip link set "${name}v$i" master "${name}br"
        ip link set "${name}v$i" up
        ip netns exec "$ns" ip addr add "$net.$i/24" dev "${name}p$i"
        ip netns exec "$ns" ip link set "${name}p$i" up
        ip netns exec "$ns" ip link set lo up
        echo "$net.$i slots=2" >>"$dir/hosts"
        echo "  $net.$i) ns=$ns ;;" >>"$dir/agent.sh"
        i=$((i + 1))
    done
    {
        echo '  *) echo "agent: no namespace for host $host" >&2; exit 255 ;;'
        echo 'esac'
        echo 'exec ip netns exec "$ns" /bin/sh -c "$*"'
    } >>"$dir/agent.sh"
    chmod +x "$dir/agent.sh"
    trap - EXIT
    ;;
down)
    [ $# -eq 3 ] || { echo "usage: $0 down NAME N" >&2; exit 64; }
    down "$2" "$3"
    ;;
*)
    echo "usage: $0 up NAME NET N DIR | down NAME N" >&2
    exit 64
    ;;
esac
