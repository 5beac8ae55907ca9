//
// Device store for libupa: <StateDir>/devices/<cloud-device-id>/device.conf.
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include "upa-private.h"
#include <cups/file.h>
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>


#define UPA_DEVICE_VALUE_MAX	1000	// Longest value device.conf holds (upaDeviceLoad() reads 1023-byte lines)

// The device's strings (device.h), listed once for making, copying and
// freeing a device
static const size_t device_strings[] =
{
  offsetof(upa_device_t, id),
  offsetof(upa_device_t, queue),
  offsetof(upa_device_t, name),
  offsetof(upa_device_t, token_url),
  offsetof(upa_device_t, client_id),
  offsetof(upa_device_t, redirect_uri),
  offsetof(upa_device_t, resource),
  offsetof(upa_device_t, printer_uri),
  offsetof(upa_device_t, previous_uri),
  offsetof(upa_device_t, dir),
  offsetof(upa_device_t, key_file),
  offsetof(upa_device_t, cert_file)
};
#define DEVICE_STRING(dev, i)	((char **)((char *)(dev) + device_strings[i]))


//
// Local functions...
//

static upa_device_t *device_alloc(const upa_device_t *from);
static unsigned long long device_hash(unsigned long long h, const struct stat *info, size_t len, const void *data);
static bool	valid_id(const char *id);
static bool	valid_value(const char *value);
static int	compare_devices(const void *a, const void *b);


//
// 'upaDeviceDelete()' - Free a device.
//

void
upaDeviceDelete(upa_device_t *dev)	// I - Device
{
  size_t	i;			// Looping var


  if (!dev)
    return;

  for (i = 0; i < sizeof(device_strings) / sizeof(device_strings[0]); i ++)
    free(*DEVICE_STRING(dev, i));

  free(dev);
}


//
// 'upaDeviceCopy()' - Copy a device (every string with it).
//

upa_device_t *				// O - Copy or NULL (out of memory)
upaDeviceCopy(const upa_device_t *dev)	// I - Device
{
  upa_device_t	*copy;			// Copy


  if ((copy = device_alloc(dev)) != NULL)
  {
    copy->registered = dev->registered;
    copy->direct     = dev->direct;
  }

  return (copy);
}


//
// 'upaDeviceSetString()' - Replace one of a device's strings.
//
// On failure (out of memory) the old value stays.
//

bool					// O - true on success
upaDeviceSetString(char       **field,	// IO - The device's field
                   const char *value)	// I - New value (NULL is "")
{
  return (upaDeviceSetStringf(field, "%s", value ? value : ""));
}


//
// 'upaDeviceSetStringf()' - Replace one of a device's strings with formatted text.
//
// On failure (out of memory) the old value stays.
//

bool					// O - true on success
upaDeviceSetStringf(char       **field,	// IO - The device's field
                    const char *format,	// I - printf-style format
                    ...)		// I - Arguments
{
  va_list	ap;			// Arguments
  char		*copy;			// New value
  int		len;			// Its length


  va_start(ap, format);
  len = vasprintf(&copy, format, ap);
  va_end(ap);

  if (len < 0)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (false);
  }

  free(*field);
  *field = copy;

  return (true);
}


//
// 'upaDeviceFindQueue()' - Find the device registered for a CUPS queue.
//

upa_device_t *				// O - Device or NULL (UPA_ERROR_DEVICE if none)
upaDeviceFindQueue(
    const upa_config_t *cfg,		// I - Configuration
    const char         *queue)		// I - Queue name
{
  upa_device_t	**devices,		// All devices
		*dev = NULL;		// Matching device
  int		i,			// Looping var
		num_devices;		// Number of devices


  if ((num_devices = upaDeviceList(cfg, &devices)) < 0)
    return (NULL);

  for (i = 0; i < num_devices; i ++)
  {
    // CUPS queue names are case-insensitive.
    if (!dev && !strcasecmp(devices[i]->queue, queue))
    {
      dev        = devices[i];
      devices[i] = NULL;
    }
  }

  upaDeviceListDelete(devices, num_devices);

  if (!dev)
    upaSetError(UPA_ERROR_DEVICE, "Queue \"%s\" is not registered with Universal Print (run 'upactl register %s').", queue, queue);

  return (dev);
}


//
// 'upaDeviceList()' - List all registered devices, sorted by queue name.
//

int					// O - Number of devices or -1 on error
upaDeviceList(
    const upa_config_t *cfg,		// I - Configuration
    upa_device_t       ***devices)	// O - Array (free with upaDeviceListDelete)
{
  char		path[1100];		// Devices folder
  DIR		*dir;			// Directory
  int		pfd,			// Devices folder (O_PATH)
		dfd;			// Devices folder, readable
  struct dirent	*ent;			// Entry
  upa_device_t	**list = NULL,		// Array
		**temp,			// New array
		*dev;			// Device
  int		count = 0;		// Number of devices


  *devices = NULL;

  snprintf(path, sizeof(path), "%s/devices", cfg->state_dir);
  if ((pfd = upaFileOpenDir(path, false, 0, NULL)) < 0)
  {
    if (errno == ENOENT)
      return (0);

    char why[1024];			// Why file.c refused it

    upaCopyString(why, upaLastErrorString(), sizeof(why));
    upaSetError(UPA_ERROR_DEVICE, "Unable to read device store %s: %s", path, why);
    return (-1);
  }

  dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  close(pfd);

  if (dfd < 0 || (dir = fdopendir(dfd)) == NULL)
  {
    if (dfd >= 0)
      close(dfd);

    upaSetError(UPA_ERROR_DEVICE, "Unable to read device store %s: %s", path, strerror(errno));
    return (-1);
  }

  while ((ent = readdir(dir)) != NULL)
  {
    if (!valid_id(ent->d_name))
      continue;

    if ((dev = upaDeviceLoad(cfg, ent->d_name)) == NULL)
    {
      // One damaged entry must not hide the others; say which one.
      upaLog(UPA_LOG_WARN, "Skipping device %s: %s", ent->d_name, upaLastErrorString());
      continue;
    }

    if ((temp = realloc(list, (size_t)(count + 1) * sizeof(upa_device_t *))) == NULL)
    {
      upaDeviceDelete(dev);
      upaDeviceListDelete(list, count);
      closedir(dir);
      upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
      return (-1);
    }

    list          = temp;
    list[count ++] = dev;
  }

  closedir(dir);

  if (count > 1)
    qsort(list, (size_t)count, sizeof(upa_device_t *), compare_devices);

  *devices = list;
  return (count);
}


//
// 'upaDeviceStoreStamp()' - Fingerprint the device store, to tell whether it changed.
//
// Hashes the identity and times (modification and change, nanoseconds) of
// the store folder, of every device folder and of its device.conf, reading
// no file: saving a device replaces its device.conf (a rename in its
// folder), adding or removing one changes the store folder.  A service
// re-reads the store (upaDeviceList()) only when the stamp differs.
//

bool					// O - `true` on success
upaDeviceStoreStamp(
    const upa_config_t *cfg,		// I - Configuration
    unsigned long long *stamp)		// O - Fingerprint
{
  char			path[1100];	// Devices folder
  DIR			*dir;		// Directory
  int			pfd,		// Devices folder (O_PATH)
			dfd;		// Devices folder, readable
  struct dirent		*ent;		// Entry
  struct stat		info;		// Folder or file information
  unsigned long long	h = 14695981039346656037ULL;
					// FNV-1a hash
  char			name[300];	// Entry's device.conf


  *stamp = 0;

  snprintf(path, sizeof(path), "%s/devices", cfg->state_dir);
  if ((pfd = upaFileOpenDir(path, false, 0, NULL)) < 0)
  {
    if (errno == ENOENT)
      return (true);			// No store: stamp 0

    return (false);
  }

  dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  close(pfd);

  if (dfd < 0 || fstat(dfd, &info) || (dir = fdopendir(dfd)) == NULL)
  {
    if (dfd >= 0)
      close(dfd);

    upaSetError(UPA_ERROR_DEVICE, "Unable to read device store %s: %s", path, strerror(errno));
    return (false);
  }

  h = device_hash(h, &info, sizeof(info.st_ino), &info.st_ino);

  while ((ent = readdir(dir)) != NULL)
  {
    if (!valid_id(ent->d_name))
      continue;

    h = device_hash(h, NULL, strlen(ent->d_name), ent->d_name);
    if (!fstatat(dirfd(dir), ent->d_name, &info, AT_SYMLINK_NOFOLLOW))
      h = device_hash(h, &info, 0, NULL);

    snprintf(name, sizeof(name), "%s/device.conf", ent->d_name);
    if (!fstatat(dirfd(dir), name, &info, AT_SYMLINK_NOFOLLOW))
      h = device_hash(h, &info, 0, NULL);
  }

  closedir(dir);

  *stamp = h;

  return (true);
}


//
// 'upaDeviceListDelete()' - Free a device list.
//

void
upaDeviceListDelete(
    upa_device_t **devices,		// I - Array
    int          num_devices)		// I - Number of devices
{
  int	i;				// Looping var


  if (!devices)
    return;

  for (i = 0; i < num_devices; i ++)
    upaDeviceDelete(devices[i]);

  free(devices);
}


//
// 'upaDeviceLoad()' - Load a device from the store.
//

upa_device_t *				// O - Device or NULL (UPA_ERROR_DEVICE)
upaDeviceLoad(const upa_config_t *cfg,	// I - Configuration
              const char         *id)	// I - Cloud device id
{
  upa_device_t	*dev;			// Device
  cups_file_t	*fp;			// device.conf
  int		fd;			// device.conf descriptor
  char		path[1100],		// Path of device.conf
		line[1024],		// Directive
		*value;			// Value
  int		linenum = 0;		// Line number
  bool		ok = true;		// Value stored?


  if ((dev = upaDeviceNew(cfg, id)) == NULL)
    return (NULL);

  snprintf(path, sizeof(path), "%s/device.conf", dev->dir);
  // Never through a link, and a regular file root or the backend wrote
  // (file.c): a group member cannot point it at a root-only file.
  if ((fd = upaFileOpen(path, O_RDONLY, 0, NULL)) < 0 || (fp = cupsFileOpenFd(fd, "r")) == NULL)
  {
    if (fd >= 0)
    {
      upaSetError(UPA_ERROR_DEVICE, "Unable to read %s: %s", path, strerror(errno));
      close(fd);
    }
    else if (errno == ENOENT)
      upaSetError(UPA_ERROR_DEVICE, "Unknown device %s: %s does not exist (is the queue registered on this server?).", id, path);
    else if (errno == EACCES)
      upaSetError(UPA_ERROR_DEVICE, "Unable to read %s: %s (is this user in group %s?).", path, strerror(errno), cfg->device_group);
    else
    {
      char why[1024];			// Why file.c refused it

      upaCopyString(why, upaLastErrorString(), sizeof(why));
      upaSetError(UPA_ERROR_DEVICE, "Unable to read device %s: %s", id, why);
    }
    upaDeviceDelete(dev);
    return (NULL);
  }

  while (cupsFileGetConf(fp, line, sizeof(line), &value, &linenum))
  {
    if (!value)
      value = line + strlen(line);	// Empty value

    if (!strcasecmp(line, "Queue"))
      ok = upaDeviceSetString(&dev->queue, value);
    else if (!strcasecmp(line, "Name"))
      ok = upaDeviceSetString(&dev->name, value);
    else if (!strcasecmp(line, "TokenURL"))
      ok = upaDeviceSetString(&dev->token_url, value);
    else if (!strcasecmp(line, "ClientId"))
      ok = upaDeviceSetString(&dev->client_id, value);
    else if (!strcasecmp(line, "RedirectURI"))
      ok = upaDeviceSetString(&dev->redirect_uri, value);
    else if (!strcasecmp(line, "Resource"))
      ok = upaDeviceSetString(&dev->resource, value);
    else if (!strcasecmp(line, "PrinterURI"))
      ok = upaDeviceSetString(&dev->printer_uri, value);
    else if (!strcasecmp(line, "PreviousURI"))
      ok = upaDeviceSetString(&dev->previous_uri, value);
    else if (!strcasecmp(line, "Registered"))
      dev->registered = (time_t)strtoll(value, NULL, 10);
    else if (!strcasecmp(line, "Direct"))
    {
      if (!strcasecmp(value, "yes") || !strcasecmp(value, "on") || !strcasecmp(value, "true"))
        dev->direct = true;
      else if (!strcasecmp(value, "no") || !strcasecmp(value, "off") || !strcasecmp(value, "false"))
        dev->direct = false;
      else
      {
        upaSetError(UPA_ERROR_DEVICE, "%s line %d: Direct must be yes or no.", path, linenum);
        cupsFileClose(fp);
        upaDeviceDelete(dev);
        return (NULL);
      }
    }
    else
    {
      upaSetError(UPA_ERROR_DEVICE, "%s line %d: unknown directive %s.", path, linenum, line);
      cupsFileClose(fp);
      upaDeviceDelete(dev);
      return (NULL);
    }

    if (!ok)				// Out of memory (the error is set)
    {
      cupsFileClose(fp);
      upaDeviceDelete(dev);
      return (NULL);
    }
  }

  cupsFileClose(fp);

  // Profile pwg devices have no token (HTTP Basic or no authentication).
  if (!dev->queue[0] || (!dev->token_url[0] && cfg->profile != UPA_PROFILE_PWG) || !dev->printer_uri[0])
  {
    upaSetError(UPA_ERROR_DEVICE, "%s is incomplete (Queue, TokenURL and PrinterURI are required); register the queue again.", path);
    upaDeviceDelete(dev);
    return (NULL);
  }

  return (dev);
}


//
// 'upaDeviceNew()' - Create an empty device with its store paths filled in.
//

upa_device_t *				// O - Device or NULL
upaDeviceNew(const upa_config_t *cfg,	// I - Configuration
             const char         *id)	// I - Cloud device id
{
  upa_device_t	*dev;			// Device


  // The id becomes a folder name: accept only UUID-like ids.
  if (!id || !valid_id(id))
  {
    upaSetError(UPA_ERROR_DEVICE, "Invalid cloud device id \"%s\".", id ? id : "(null)");
    return (NULL);
  }

  if ((dev = device_alloc(NULL)) == NULL)
    return (NULL);

  if (!upaDeviceSetString(&dev->id, id) || !upaDeviceSetStringf(&dev->dir, "%s/devices/%s", cfg->state_dir, id) || !upaDeviceSetStringf(&dev->key_file, "%s/key.pem", dev->dir) || !upaDeviceSetStringf(&dev->cert_file, "%s/cert.pem", dev->dir))
  {
    upaDeviceDelete(dev);
    return (NULL);
  }

  return (dev);
}


//
// 'upaDeviceRemove()' - Remove a device (and its key) from the store.
//

bool					// O - true on success
upaDeviceRemove(const upa_config_t *cfg,// I - Configuration
                const upa_device_t *dev)// I - Device
{
  static const char * const files[] = { "device.conf", "key.pem", "cert.pem" };
  char		path[1100];		// File path
  size_t	i;			// Looping var
  int		pfd;			// Folder above the device's
  const char	*name;			// Device folder name
  bool		ret = true;		// Return value


  (void)cfg;

  for (i = 0; i < sizeof(files) / sizeof(files[0]); i ++)
  {
    snprintf(path, sizeof(path), "%s/%s", dev->dir, files[i]);
    if (upaFileUnlink(path) && errno != ENOENT)
    {
      upaSetError(UPA_ERROR_IO, "Unable to remove %s: %s", path, strerror(errno));
      ret = false;
    }
  }

  if (ret && (pfd = upaFileOpenParent(dev->dir, &name)) >= 0)
  {
    if (unlinkat(pfd, name, AT_REMOVEDIR) && errno != ENOENT)
    {
      upaSetError(UPA_ERROR_IO, "Unable to remove %s: %s", dev->dir, strerror(errno));
      ret = false;
    }
    close(pfd);
  }
  else if (ret && errno != ENOENT)
  {
    upaSetError(UPA_ERROR_IO, "Unable to remove %s: %s", dev->dir, strerror(errno));
    ret = false;
  }

  return (ret);
}


//
// 'upaDeviceSave()' - Write device.conf (atomically).
//

bool					// O - true on success
upaDeviceSave(const upa_config_t *cfg,	// I - Configuration
              const upa_device_t *dev)	// I - Device
{
  char	path[1100],			// device.conf
	buffer[8192];			// Contents
  int	len;				// Length of contents


  if (!valid_value(dev->queue) || !valid_value(dev->name) || !valid_value(dev->token_url) || !valid_value(dev->client_id) || !valid_value(dev->redirect_uri) || !valid_value(dev->resource) || !valid_value(dev->printer_uri) || !valid_value(dev->previous_uri))
  {
    upaSetError(UPA_ERROR_ARGS, "Device %s has a value with a line break or control character, or longer than %d bytes.", dev->id, UPA_DEVICE_VALUE_MAX);
    return (false);
  }

  // The backend runs as lp: the folder and file belong to DeviceGroup.
  if (!upaMakeDirs(dev->dir, 0750) || !upaSetGroup(dev->dir, -1, cfg->device_group))
    return (false);

  len = snprintf(buffer, sizeof(buffer),
                 "# Universal Print device, written by cups-upa - do not edit while in use\n"
                 "Queue %s\n"
                 "Name %s\n"
                 "TokenURL %s\n"
                 "ClientId %s\n"
                 "RedirectURI %s\n"
                 "Resource %s\n"
                 "PrinterURI %s\n"
                 "PreviousURI %s\n"
                 "Registered %lld\n"
                 "Direct %s\n",
                 dev->queue, dev->name, dev->token_url, dev->client_id,
                 dev->redirect_uri, dev->resource, dev->printer_uri,
                 dev->previous_uri, (long long)dev->registered,
                 dev->direct ? "yes" : "no");
  if (len < 0 || (size_t)len >= sizeof(buffer))
  {
    upaSetError(UPA_ERROR_INTERNAL, "Device %s does not fit in device.conf.", dev->id);
    return (false);
  }

  snprintf(path, sizeof(path), "%s/device.conf", dev->dir);

  return (upaWriteFileAtomicGroup(path, buffer, (size_t)len, 0640, cfg->device_group));
}


//
// 'upaDeviceUUID()' - Return "urn:uuid:<id>" for output-device-uuid.
//

bool					// O - true if it fit
upaDeviceUUID(const upa_device_t *dev,	// I - Device
              char               *buffer,
					// I - Buffer
              size_t             bufsize)
					// I - Size of buffer
{
  int	len = snprintf(buffer, bufsize, "urn:uuid:%s", dev->id);
					// Length


  return (len > 0 && (size_t)len < bufsize);
}


//
// 'compare_devices()' - Sort devices by queue name.
//

static int				// O - Result of comparison
compare_devices(const void *a,		// I - First device
                const void *b)		// I - Second device
{
  return (strcasecmp((*(upa_device_t * const *)a)->queue, (*(upa_device_t * const *)b)->queue));
}


//
// 'device_alloc()' - Allocate a device with every string set (device.h).
//

static upa_device_t *			// O - Device or NULL (out of memory)
device_alloc(const upa_device_t *from)	// I - Device whose strings to copy, or NULL for ""
{
  upa_device_t	*dev;			// Device
  size_t	i;			// Looping var


  if ((dev = calloc(1, sizeof(upa_device_t))) == NULL)
  {
    upaSetError(UPA_ERROR_MEMORY, "Out of memory.");
    return (NULL);
  }

  for (i = 0; i < sizeof(device_strings) / sizeof(device_strings[0]); i ++)
  {
    if (!upaDeviceSetString(DEVICE_STRING(dev, i), from ? *DEVICE_STRING(from, i) : NULL))
    {
      upaDeviceDelete(dev);		// (frees what was set; the rest is NULL)
      return (NULL);
    }
  }

  return (dev);
}


//
// 'device_hash()' - Add bytes and a file's identity and times to an FNV-1a hash.
//
// Entries come in readdir() order, which is stable while the folder does
// not change (and a change changes the folder's own times).
//

static unsigned long long		// O - New hash
device_hash(unsigned long long h,	// I - Hash so far
            const struct stat  *info,	// I - File information or `NULL`
            size_t             len,	// I - Number of bytes
            const void         *data)	// I - Bytes or `NULL`
{
  const unsigned char	*p;		// Current byte
  long long		v[6];		// Identity and times
  size_t		i;		// Looping var


  for (p = (const unsigned char *)data, i = 0; p && i < len; i ++)
    h = (h ^ p[i]) * 1099511628211ULL;

  if (info)
  {
    v[0] = (long long)info->st_ino;
    v[1] = (long long)info->st_size;
    v[2] = (long long)info->st_mtim.tv_sec;
    v[3] = (long long)info->st_mtim.tv_nsec;
    v[4] = (long long)info->st_ctim.tv_sec;
    v[5] = (long long)info->st_ctim.tv_nsec;

    for (p = (const unsigned char *)v, i = 0; i < sizeof(v); i ++)
      h = (h ^ p[i]) * 1099511628211ULL;
  }

  return (h);
}


//
// 'valid_id()' - Is this a safe cloud device id (letters, digits, '-')?
//

static bool				// O - true if valid
valid_id(const char *id)		// I - Id
{
  size_t	len = 0;		// Length


  for (; *id; id ++, len ++)
  {
    if (!((*id >= '0' && *id <= '9') || (*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z') || *id == '-'))
      return (false);
  }

  return (len > 0 && len < 128);
}


//
// 'valid_value()' - Can this value be stored on one device.conf line?
//

static bool				// O - true if valid
valid_value(const char *value)		// I - Value
{
  const char	*start = value;		// Start of value


  for (; *value; value ++)
  {
    if ((unsigned char)*value < ' ' || *value == 0x7f)
      return (false);
  }

  // upaDeviceLoad() reads "Directive value" lines of at most 1023 bytes
  return (value - start <= UPA_DEVICE_VALUE_MAX);
}
