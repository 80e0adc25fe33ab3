// netch_tap: the small native part of the TAP link. Node cannot issue the TUNSETIFF ioctl,
// so this addon opens /dev/net/tun in TAP mode without packet information (IFF_TAP |
// IFF_NO_PI), optionally inside a network namespace given by path (setns(2) around the
// open, on this thread only), and offers batch read, write, a libuv poll watcher that calls
// back into JS when the descriptor becomes readable, and a blocking wait for threads.
//
// Exports (all synchronous, numbers in and out, no allocation per frame):
//   open(name, netnsPath|null, offload) -> { fd, name, vnetHdrLen }
//                                                  throws Error{code NETCH_ERR_TAP_OPEN, errno, syscall}
//                                                  offload: IFF_VNET_HDR, a 10-byte little-endian
//                                                  virtio_net_hdr before every frame read and written,
//                                                  and TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4)
//   read(fd, buf, stride, max, lens) -> n | -errno  up to `max` frames, frame i at i*stride, length in lens[i]
//   write(fd, buf, off, len) -> n | -errno
//   close(fd) -> 0 | -errno
//   watch(fd, cb) -> handle; arm(handle, ref) -> 0|-errno; disarm(handle); unwatch(handle)
//                                                  one-shot readable notification
//   waitReadable(fd, timeoutMs) -> 1 | 0 | -errno           poll(2), for a reader thread
//   pingOpen() -> fd | -errno                      an unprivileged ICMP echo socket
//                                                  (SOCK_DGRAM, IPPROTO_ICMP: allowed where the
//                                                  gid is in net.ipv4.ping_group_range, else -EACCES)
//   pingSend(fd, addr, buf, off, len) -> n | -errno send an ICMP message (the kernel sets the id
//                                                  and checksum) to the IPv4 `addr` (a uint32)
//   pingRecv(fd, buf, off, len, from) -> n | -errno receive one ICMP message; from[0] = the sender
//
// Errors of the data calls are returned as negative errno values: the hot path never
// creates an Error. The descriptor is non-blocking and close-on-exec.

#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

#define CHECK_NAPI(env, call)                                   \
  do {                                                          \
    if ((call) != napi_ok) {                                    \
      napi_throw_error((env), "NETCH_ERR_TAP_ADDON", #call);    \
      return nullptr;                                           \
    }                                                           \
  } while (0)

// Return an errno's symbolic name (EPERM, ENOENT...), or "E?" when unknown.
const char* ErrnoName(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EIO: return "EIO";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENODEV: return "ENODEV";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ENOTTY: return "ENOTTY";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EBADFD: return "EBADFD";
    case ENXIO: return "ENXIO";
    default: return "E?";
  }
}

// Throw Error{ code: NETCH_ERR_TAP_OPEN, errno: -e, errnoCode, syscall, path }.
void ThrowOpenError(napi_env env, int e, const char* syscall, const char* path) {
  char msg[512];
  snprintf(msg, sizeof msg, "NETCH_ERR_TAP_OPEN: %s %s: %s (%s)", syscall, path, ErrnoName(e), strerror(e));
  napi_value message, code, err, v;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_string_utf8(env, "NETCH_ERR_TAP_OPEN", NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, message, &err);
  napi_create_int32(env, -e, &v);
  napi_set_named_property(env, err, "errno", v);
  napi_create_string_utf8(env, ErrnoName(e), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, err, "errnoCode", v);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, err, "syscall", v);
  napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, err, "path", v);
  napi_throw(env, err);
}

bool GetInt(napi_env env, napi_value v, int64_t* out) {
  return napi_get_value_int64(env, v, out) == napi_ok;
}

// Return the bytes of a TypedArray argument (any element type), or false.
bool GetBytes(napi_env env, napi_value v, uint8_t** data, size_t* len) {
  napi_typedarray_type type;
  size_t count, offset;
  napi_value ab;
  void* p;
  if (napi_get_typedarray_info(env, v, &type, &count, &p, &ab, &offset) != napi_ok) return false;
  size_t elem = 1;
  switch (type) {
    case napi_int16_array: case napi_uint16_array: elem = 2; break;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: elem = 4; break;
    case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: elem = 8; break;
    default: elem = 1;
  }
  *data = static_cast<uint8_t*>(p);
  *len = count * elem;
  return true;
}

napi_value Int(napi_env env, int64_t x) {
  napi_value v;
  napi_create_int64(env, x, &v);
  return v;
}

// The virtio_net_hdr length we use (struct virtio_net_hdr, without num_buffers).
constexpr int kVnetHdrLen = 10;

// open(name, netnsPath|null, offload) -> { fd, name, vnetHdrLen }
napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  char name[IFNAMSIZ] = {0};
  size_t nameLen = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &nameLen) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "open: name must be a string");
    return nullptr;
  }
  char nsPath[4096] = {0};
  bool haveNs = false;
  if (argc >= 2) {
    napi_valuetype t;
    napi_typeof(env, argv[1], &t);
    if (t == napi_string) {
      size_t l = 0;
      napi_get_value_string_utf8(env, argv[1], nsPath, sizeof nsPath, &l);
      haveNs = l > 0;
    }
  }

  bool offload = false;
  if (argc >= 3) {
    napi_valuetype t;
    napi_typeof(env, argv[2], &t);
    if (t == napi_boolean) napi_get_value_bool(env, argv[2], &offload);
  }

  int selfNs = -1;
  if (haveNs) {
    int target = open(nsPath, O_RDONLY | O_CLOEXEC);
    if (target < 0) {
      ThrowOpenError(env, errno, "open", nsPath);
      return nullptr;
    }
    selfNs = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (selfNs < 0) {
      int e = errno;
      close(target);
      ThrowOpenError(env, e, "open", "/proc/thread-self/ns/net");
      return nullptr;
    }
    if (setns(target, CLONE_NEWNET) != 0) {
      int e = errno;
      close(target);
      close(selfNs);
      ThrowOpenError(env, e, "setns", nsPath);
      return nullptr;
    }
    close(target);
  }

  // A tun file belongs to the namespace current at open(2); TUNSETIFF creates or finds
  // the device there, and the descriptor keeps working wherever the device moves later.
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  int err = 0;
  const char* failed = nullptr;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  if (fd < 0) {
    err = errno;
    failed = "open";
  } else {
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0);
    memcpy(ifr.ifr_name, name, nameLen < IFNAMSIZ - 1 ? nameLen : IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
      err = errno;
      failed = "ioctl(TUNSETIFF)";
    } else if (offload) {
      // drivers/net/tun.c: every read(2) then starts with a virtio_net_hdr of vnet_hdr_sz
      // bytes (the kernel's gso_type, gso_size and NEEDS_CSUM/DATA_VALID for that frame),
      // and every write(2) must start with one. Little-endian whatever the host (virtio
      // 1.0), so the JS side reads it one way; TUNSETVNETLE is missing before Linux 4.8,
      // where legacy headers are native-endian, which is little-endian on x86 and arm64.
      int hdr = kVnetHdrLen;
      int le = 1;
      // TUN_F_CSUM: the kernel may hand us frames whose TCP/UDP checksum is partial
      // (NEEDS_CSUM). TUN_F_TSO4: it may hand us IPv4 TCP super-frames (GSO TCPV4) of up to
      // 64 KiB. What we write may be GSO regardless of these flags.
      unsigned int features = TUN_F_CSUM | TUN_F_TSO4;
      if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) != 0) {
        err = errno;
        failed = "ioctl(TUNSETVNETHDRSZ)";
      } else if (ioctl(fd, TUNSETVNETLE, &le) != 0 && errno != EINVAL && errno != ENOTTY) {
        err = errno;
        failed = "ioctl(TUNSETVNETLE)";
      } else if (ioctl(fd, TUNSETOFFLOAD, features) != 0) {
        err = errno;
        failed = "ioctl(TUNSETOFFLOAD)";
      }
    }
    if (failed != nullptr) {
      close(fd);
      fd = -1;
    }
  }

  if (haveNs) {
    if (setns(selfNs, CLONE_NEWNET) != 0) {
      // This thread would stay in the other namespace: nothing sane can continue.
      fprintf(stderr, "netch_tap: cannot return to the original network namespace: %s\n", strerror(errno));
      abort();
    }
    close(selfNs);
  }

  if (fd < 0) {
    ThrowOpenError(env, err, failed, strcmp(failed, "open") == 0 ? "/dev/net/tun" : name);
    return nullptr;
  }
  napi_value result, v;
  CHECK_NAPI(env, napi_create_object(env, &result));
  napi_create_int32(env, fd, &v);
  napi_set_named_property(env, result, "fd", v);
  ifr.ifr_name[IFNAMSIZ - 1] = 0;
  napi_create_string_utf8(env, ifr.ifr_name, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, result, "name", v);
  napi_create_int32(env, offload ? kVnetHdrLen : 0, &v);
  napi_set_named_property(env, result, "vnetHdrLen", v);
  return result;
}

// read(fd, buf, stride, max, lens: Int32Array) -> frames read (>= 0) | -errno (nothing read)
napi_value Read(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t fd, stride, max;
  uint8_t* buf;
  size_t bufLen;
  uint8_t* lensRaw;
  size_t lensLen;
  if (argc < 5 || !GetInt(env, argv[0], &fd) || !GetBytes(env, argv[1], &buf, &bufLen) || !GetInt(env, argv[2], &stride) ||
      !GetInt(env, argv[3], &max) || !GetBytes(env, argv[4], &lensRaw, &lensLen) || stride <= 0 || max < 0) {
    return Int(env, -EINVAL);
  }
  int32_t* lens = reinterpret_cast<int32_t*>(lensRaw);
  size_t slots = bufLen / static_cast<size_t>(stride);
  if (static_cast<size_t>(max) > slots) max = static_cast<int64_t>(slots);
  if (static_cast<size_t>(max) > lensLen / 4) max = static_cast<int64_t>(lensLen / 4);
  int64_t n = 0;
  while (n < max) {
    ssize_t r = read(static_cast<int>(fd), buf + n * stride, static_cast<size_t>(stride));
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || n > 0) break;
      return Int(env, -errno);
    }
    lens[n++] = static_cast<int32_t>(r);
  }
  return Int(env, n);
}

// write(fd, buf, off, len) -> bytes written | -errno
napi_value Write(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t fd, off, len;
  uint8_t* buf;
  size_t bufLen;
  if (argc < 4 || !GetInt(env, argv[0], &fd) || !GetBytes(env, argv[1], &buf, &bufLen) || !GetInt(env, argv[2], &off) ||
      !GetInt(env, argv[3], &len) || off < 0 || len < 0 || static_cast<size_t>(off + len) > bufLen) {
    return Int(env, -EINVAL);
  }
  for (;;) {
    ssize_t r = write(static_cast<int>(fd), buf + off, static_cast<size_t>(len));
    if (r >= 0) return Int(env, r);
    if (errno != EINTR) return Int(env, -errno);
  }
}

// close(fd) -> 0 | -errno
napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t fd;
  if (argc < 1 || !GetInt(env, argv[0], &fd)) return Int(env, -EINVAL);
  return Int(env, close(static_cast<int>(fd)) == 0 ? 0 : -errno);
}

// waitReadable(fd, timeoutMs) -> 1 readable | 0 timeout | -errno
napi_value WaitReadable(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t fd, timeout;
  if (argc < 2 || !GetInt(env, argv[0], &fd) || !GetInt(env, argv[1], &timeout)) return Int(env, -EINVAL);
  struct pollfd p = {static_cast<int>(fd), POLLIN, 0};
  for (;;) {
    int r = poll(&p, 1, static_cast<int>(timeout));
    if (r >= 0) return Int(env, r > 0 ? 1 : 0);
    if (errno != EINTR) return Int(env, -errno);
  }
}

// A readable watcher: a uv_poll handle and the JS function it calls, once per arm().
struct Watcher {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  bool active;  // uv_poll_start is in effect
  bool closed;  // unwatch() ran; the handle is closing
  int owners;   // the uv handle and the JS external: freed when both let go
};

void Release(Watcher* w) {
  if (--w->owners == 0) delete w;
}

void OnClosed(uv_handle_t* h) {
  Release(reinterpret_cast<Watcher*>(h->data));
}

// Stop the watcher and start closing its handle. Idempotent.
void Shutdown(napi_env env, Watcher* w) {
  if (w->closed) return;
  w->closed = true;
  uv_poll_stop(&w->poll);
  w->active = false;
  napi_delete_reference(env, w->callback);
  napi_async_destroy(env, w->async);
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), OnClosed);
}

void OnReadable(uv_poll_t* h, int status, int /*events*/) {
  Watcher* w = reinterpret_cast<Watcher*>(h->data);
  // One-shot: stop first, so a descriptor left readable does not spin the loop; the JS
  // side re-arms after it has drained the frames.
  uv_poll_stop(h);
  w->active = false;
  if (w->closed) return;
  (void)status;  // an error (the device went away) is reported as readable: read() says why
  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, result;
  if (napi_get_reference_value(env, w->callback, &fn) == napi_ok && fn != nullptr) {
    napi_get_global(env, &recv);  // napi_make_callback needs an object receiver
    napi_make_callback(env, w->async, recv, fn, 0, nullptr, &result);
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      // The callback threw: report it as an uncaught exception, as a Node callback would.
      napi_value exc;
      napi_get_and_clear_last_exception(env, &exc);
      napi_fatal_exception(env, exc);
    }
  }
  napi_close_handle_scope(env, scope);
}

// The JS handle was collected: close the watcher if unwatch() never ran, then let go.
void FinalizeWatcher(napi_env env, void* data, void* /*hint*/) {
  Watcher* w = static_cast<Watcher*>(data);
  Shutdown(env, w);
  Release(w);
}

Watcher* GetWatcher(napi_env env, napi_value v) {
  void* p = nullptr;
  if (napi_get_value_external(env, v, &p) != napi_ok) return nullptr;
  return static_cast<Watcher*>(p);
}

// watch(fd, cb) -> handle (an external)
napi_value Watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t fd;
  napi_valuetype t = napi_undefined;
  if (argc >= 2) napi_typeof(env, argv[1], &t);
  if (argc < 2 || !GetInt(env, argv[0], &fd) || t != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "watch(fd, callback)");
    return nullptr;
  }
  uv_loop_t* loop;
  CHECK_NAPI(env, napi_get_uv_event_loop(env, &loop));
  Watcher* w = new Watcher();
  w->env = env;
  w->active = false;
  w->closed = false;
  w->owners = 2;
  int r = uv_poll_init(loop, &w->poll, static_cast<int>(fd));
  if (r != 0) {
    delete w;
    napi_throw_error(env, "NETCH_ERR_TAP_OPEN", uv_strerror(r));
    return nullptr;
  }
  w->poll.data = w;
  napi_create_reference(env, argv[1], 1, &w->callback);
  napi_value resName;
  napi_create_string_utf8(env, "netch:tap", NAPI_AUTO_LENGTH, &resName);
  napi_async_init(env, nullptr, resName, &w->async);
  // An idle watcher must not keep the process alive; uv_poll_start refs it while armed.
  uv_unref(reinterpret_cast<uv_handle_t*>(&w->poll));
  napi_value ext;
  CHECK_NAPI(env, napi_create_external(env, w, FinalizeWatcher, nullptr, &ext));
  return ext;
}

// arm(handle, ref) -> 0 | -errno: call back once when the descriptor is readable.
// `ref` true keeps the event loop alive while armed.
napi_value Arm(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Watcher* w = argc >= 1 ? GetWatcher(env, argv[0]) : nullptr;
  if (w == nullptr || w->closed) return Int(env, -EBADF);
  bool ref = false;
  if (argc >= 2) napi_get_value_bool(env, argv[1], &ref);
  if (ref) uv_ref(reinterpret_cast<uv_handle_t*>(&w->poll));
  else uv_unref(reinterpret_cast<uv_handle_t*>(&w->poll));
  if (w->active) return Int(env, 0);
  int r = uv_poll_start(&w->poll, UV_READABLE, OnReadable);
  if (r != 0) return Int(env, r);  // libuv errors are already negative errno
  w->active = true;
  return Int(env, 0);
}

// disarm(handle): stop waiting (no callback until the next arm).
napi_value Disarm(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Watcher* w = argc >= 1 ? GetWatcher(env, argv[0]) : nullptr;
  if (w != nullptr && !w->closed && w->active) {
    uv_poll_stop(&w->poll);
    w->active = false;
  }
  return nullptr;
}

// unwatch(handle): stop and free the watcher. Idempotent.
napi_value Unwatch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Watcher* w = argc >= 1 ? GetWatcher(env, argv[0]) : nullptr;
  if (w != nullptr) Shutdown(env, w);
  return nullptr;
}

// pingOpen() -> fd | -errno
napi_value PingOpen(napi_env env, napi_callback_info /*info*/) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  return Int(env, fd >= 0 ? fd : -errno);
}

// pingSend(fd, addr, buf, off, len) -> n | -errno
napi_value PingSend(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t fd, addr, off, len;
  uint8_t* data;
  size_t size;
  if (argc < 5 || !GetInt(env, argv[0], &fd) || !GetInt(env, argv[1], &addr) || !GetBytes(env, argv[2], &data, &size) ||
      !GetInt(env, argv[3], &off) || !GetInt(env, argv[4], &len) || off < 0 || len < 0 || static_cast<size_t>(off + len) > size) {
    return Int(env, -EINVAL);
  }
  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(static_cast<uint32_t>(addr));
  ssize_t n = sendto(static_cast<int>(fd), data + off, static_cast<size_t>(len), 0, reinterpret_cast<struct sockaddr*>(&to), sizeof to);
  return Int(env, n >= 0 ? n : -errno);
}

// pingRecv(fd, buf, off, len, from) -> n | -errno; from is a Uint32Array, from[0] the sender
napi_value PingRecv(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  int64_t fd, off, len;
  uint8_t* data;
  size_t size;
  uint8_t* fromBytes;
  size_t fromSize;
  if (argc < 5 || !GetInt(env, argv[0], &fd) || !GetBytes(env, argv[1], &data, &size) || !GetInt(env, argv[2], &off) ||
      !GetInt(env, argv[3], &len) || off < 0 || len < 0 || static_cast<size_t>(off + len) > size || !GetBytes(env, argv[4], &fromBytes, &fromSize) ||
      fromSize < 4) {
    return Int(env, -EINVAL);
  }
  struct sockaddr_in from;
  socklen_t fl = sizeof from;
  ssize_t n;
  do {
    n = recvfrom(static_cast<int>(fd), data + off, static_cast<size_t>(len), 0, reinterpret_cast<struct sockaddr*>(&from), &fl);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Int(env, -errno);
  uint32_t a = ntohl(from.sin_addr.s_addr);
  memcpy(fromBytes, &a, 4);
  return Int(env, n);
}

}  // namespace

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor props[] = {
      {"open", nullptr, Open, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"read", nullptr, Read, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"write", nullptr, Write, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"close", nullptr, Close, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"waitReadable", nullptr, WaitReadable, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"watch", nullptr, Watch, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"arm", nullptr, Arm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"disarm", nullptr, Disarm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unwatch", nullptr, Unwatch, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"pingOpen", nullptr, PingOpen, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"pingSend", nullptr, PingSend, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"pingRecv", nullptr, PingRecv, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
