//
// Minimal IPP-over-HTTPS client with bearer tokens, for testing upa-cloudsim
// from shell scripts (ipptool in CUPS 2.4 cannot send a bearer token).
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//
// Usage:
//   testipp [--cacert FILE] [--token TOKEN] [--doc FILE] [--out FILE]
//           [--content-type TYPE] URL OPERATION [GROUP.TAG.NAME=VALUE[,VALUE...] ...]
//
// GROUP is op, job, printer, sub (subscription) or doc (document); TAG is uri, keyword, integer, enum, boolean,
// charset, text, name, mimetype or language; values are comma-separated
// (a "data:" URI is always a single value).  attributes-charset (utf-8) and
// attributes-natural-language (en) are added first.  Prints "http=N",
// "status=NAME" and one "name=value" line per response attribute (job groups
// are separated by "--"); data after the IPP response goes to --out.
// Exit status: 0 when an HTTP response arrived, 1 otherwise.
//

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cups/ipp.h>
#include <curl/curl.h>


//
// Local types...
//

typedef struct buf_s			// Growable buffer
{
  unsigned char	*data;			// Data
  size_t	len,			// Used bytes
		pos,			// Read position
		size;			// Allocated bytes
} buf_t;


//
// Local functions...
//

static bool	add_attr(ipp_t *ipp, const char *spec);
static bool	buf_append(buf_t *b, const void *data, size_t len);
static ssize_t	read_cb(buf_t *b, ipp_uchar_t *data, size_t len);
static size_t	curl_write_cb(char *data, size_t size, size_t nmemb, buf_t *b);
static ssize_t	write_cb(buf_t *b, ipp_uchar_t *data, size_t len);


//
// 'main()' - Send one IPP request.
//

int					// O - Exit status
main(int  argc,				// I - Number of arguments
     char *argv[])			// I - Arguments
{
  const char		*cacert = NULL,	// --cacert
			*token = NULL,	// --token
			*doc = NULL,	// --doc
			*out = NULL,	// --out
			*ctype = "application/ipp",
					// --content-type
			*url = NULL,	// URL
			*opname = NULL;	// Operation
  ipp_t			*request,	// Request
			*response;	// Response
  ipp_attribute_t	*attr;		// Response attribute
  buf_t			req = { NULL, 0, 0, 0 },
					// Request body
			resp = { NULL, 0, 0, 0 };
					// Response body
  CURL			*curl;		// Connection
  struct curl_slist	*headers = NULL;// Headers
  char			header[8192];	// Header text
  long			http;		// HTTP status
  int			i;		// Looping var
  ipp_op_t		op;		// Operation code
  ipp_state_t		state;		// Read/write state
  ipp_tag_t		group = IPP_TAG_ZERO;
					// Current response group


  for (i = 1; i < argc; i ++)
  {
    if (!strcmp(argv[i], "--cacert") && i + 1 < argc)
      cacert = argv[++ i];
    else if (!strcmp(argv[i], "--token") && i + 1 < argc)
      token = argv[++ i];
    else if (!strcmp(argv[i], "--doc") && i + 1 < argc)
      doc = argv[++ i];
    else if (!strcmp(argv[i], "--out") && i + 1 < argc)
      out = argv[++ i];
    else if (!strcmp(argv[i], "--content-type") && i + 1 < argc)
      ctype = argv[++ i];
    else
      break;
  }

  if (i + 2 > argc)
  {
    fputs("Usage: testipp [--cacert FILE] [--token TOKEN] [--doc FILE] [--out FILE] URL OPERATION [GROUP.TAG.NAME=VALUE ...]\n", stderr);
    return (1);
  }

  url    = argv[i ++];
  opname = argv[i ++];

  if ((op = ippOpValue(opname)) == (ipp_op_t)-1 && (op = (ipp_op_t)strtol(opname, NULL, 0)) <= 0)
  {
    fprintf(stderr, "testipp: unknown operation '%s'\n", opname);
    return (1);
  }

  request = ippNewRequest(op);		// Adds charset, language, request-id

  for (; i < argc; i ++)
  {
    if (!add_attr(request, argv[i]))
    {
      fprintf(stderr, "testipp: bad attribute '%s'\n", argv[i]);
      ippDelete(request);
      return (1);
    }
  }

  while ((state = ippWriteIO(&req, (ipp_iocb_t)write_cb, 1, NULL, request)) != IPP_STATE_DATA)
  {
    if (state == IPP_STATE_ERROR)
    {
      fputs("testipp: cannot encode the request\n", stderr);
      ippDelete(request);
      free(req.data);
      return (1);
    }
  }
  ippDelete(request);

  if (doc)
  {
    FILE	*fp = fopen(doc, "rb");	// Document
    char	chunk[65536];		// Chunk
    size_t	n;			// Bytes read

    if (!fp)
    {
      perror(doc);
      free(req.data);
      return (1);
    }

    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
      buf_append(&req, chunk, n);

    fclose(fp);
  }

  curl_global_init(CURL_GLOBAL_DEFAULT);
  curl = curl_easy_init();

  snprintf(header, sizeof(header), "Content-Type: %s", ctype);
  headers = curl_slist_append(headers, header);
  if (token)
  {
    snprintf(header, sizeof(header), "Authorization: Bearer %s", token);
    headers = curl_slist_append(headers, header);
  }

  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req.data);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req.len);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, curl_write_cb);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp);
  if (cacert)
    curl_easy_setopt(curl, CURLOPT_CAINFO, cacert);

  if (curl_easy_perform(curl) != CURLE_OK)
  {
    fputs("testipp: HTTP request failed\n", stderr);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    free(req.data);
    free(resp.data);
    return (1);
  }

  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  free(req.data);
  req.data = NULL;

  printf("http=%ld\n", http);

  if (http != 200)
  {
    free(resp.data);
    return (0);
  }

  response = ippNew();
  while ((state = ippReadIO(&resp, (ipp_iocb_t)read_cb, 1, NULL, response)) != IPP_STATE_DATA)
  {
    if (state == IPP_STATE_ERROR)
    {
      puts("status=malformed-response");
      ippDelete(response);
      free(resp.data);
      return (0);
    }
  }

  // CUPS 2.4 has no name for PWG 5100.18's client-error-not-fetchable.
  printf("status=%s\n", ippGetStatusCode(response) == 0x0420 ? "client-error-not-fetchable" : ippErrorString(ippGetStatusCode(response)));

  for (attr = ippFirstAttribute(response); attr; attr = ippNextAttribute(response))
  {
    char	value[8192];		// Value text

    if (!ippGetName(attr))
    {
      group = IPP_TAG_ZERO;
      continue;
    }

    if (ippGetGroupTag(attr) == IPP_TAG_JOB && group == IPP_TAG_JOB)
      ;
    else if (ippGetGroupTag(attr) == IPP_TAG_JOB)
      puts("--");

    group = ippGetGroupTag(attr);
    ippAttributeString(attr, value, sizeof(value));
    printf("%s=%s\n", ippGetName(attr), value);
  }

  printf("data=%lu\n", (unsigned long)(resp.len - resp.pos));

  if (out)
  {
    FILE *fp = fopen(out, "wb");	// Output file

    if (!fp || fwrite(resp.data + resp.pos, 1, resp.len - resp.pos, fp) != resp.len - resp.pos)
    {
      perror(out);
      if (fp)
        fclose(fp);
      ippDelete(response);
      free(resp.data);
      return (1);
    }

    fclose(fp);
  }

  ippDelete(response);
  free(req.data);
  free(resp.data);

  return (0);
}


//
// 'add_attr()' - Add GROUP.TAG.NAME=VALUE[,VALUE...] to a request.
//

static bool				// O - `true` on success
add_attr(ipp_t      *ipp,		// I - Request
         const char *spec)		// I - Attribute spec
{
  char		copy[4096],		// Copy of spec
		*tagname,		// Tag
		*name,			// Name
		*value,			// Value(s)
		*values[64];		// Split values
  int		num_values = 0,		// Number of values
		ints[64],		// Integer values
		i;			// Looping var
  ipp_tag_t	group,			// Group
		tag;			// Value tag


  snprintf(copy, sizeof(copy), "%s", spec);

  if ((tagname = strchr(copy, '.')) == NULL)
    return (false);
  *tagname++ = '\0';

  if ((name = strchr(tagname, '.')) == NULL)
    return (false);
  *name++ = '\0';

  if ((value = strchr(name, '=')) == NULL)
    return (false);
  *value++ = '\0';

  if (!strcmp(copy, "op"))
    group = IPP_TAG_OPERATION;
  else if (!strcmp(copy, "job"))
    group = IPP_TAG_JOB;
  else if (!strcmp(copy, "printer"))
    group = IPP_TAG_PRINTER;
  else if (!strcmp(copy, "sub"))
    group = IPP_TAG_SUBSCRIPTION;
  else if (!strcmp(copy, "doc"))
    group = IPP_TAG_DOCUMENT;
  else
    return (false);

  if (!strcmp(tagname, "mimetype"))
    tag = IPP_TAG_MIMETYPE;
  else if ((tag = ippTagValue(tagname)) == IPP_TAG_ZERO)
    return (false);

  // "data:" URIs contain a comma of their own: they are always one value.
  if (tag == IPP_TAG_URI && !strncmp(value, "data:", 5))
    values[num_values ++] = value;
  else
  {
    for (values[num_values ++] = value; num_values < 64 && (value = strchr(value, ',')) != NULL; values[num_values ++] = value)
      *value++ = '\0';
  }

  switch (tag)
  {
    case IPP_TAG_INTEGER :
    case IPP_TAG_ENUM :
        for (i = 0; i < num_values; i ++)
          ints[i] = (int)strtol(values[i], NULL, 0);
        ippAddIntegers(ipp, group, tag, name, num_values, ints);
        break;

    case IPP_TAG_BOOLEAN :
        ippAddBoolean(ipp, group, name, !strcmp(values[0], "true"));
        break;

    default :
        // ippAddStrings() cuts charset values to 31 bytes; ippAddString() does not.
        if (num_values == 1)
          ippAddString(ipp, group, tag, name, NULL, values[0]);
        else
          ippAddStrings(ipp, group, tag, name, num_values, NULL, (const char * const *)values);
        break;
  }

  return (true);
}


//
// 'buf_append()' - Append to a buffer.
//

static bool				// O - `true` on success
buf_append(buf_t      *b,		// I - Buffer
           const void *data,		// I - Data
           size_t     len)		// I - Length
{
  if (b->len + len > b->size)
  {
    size_t	newsize = b->size ? b->size : 65536;
					// New size
    unsigned char *newdata;		// New data

    while (newsize < b->len + len)
      newsize *= 2;

    if ((newdata = realloc(b->data, newsize)) == NULL)
      return (false);

    b->data = newdata;
    b->size = newsize;
  }

  memcpy(b->data + b->len, data, len);
  b->len += len;

  return (true);
}


//
// 'curl_write_cb()' - Collect the response body.
//

static size_t				// O - Bytes taken
curl_write_cb(char   *data,		// I - Data
              size_t size,		// I - Element size
              size_t nmemb,		// I - Elements
              buf_t  *b)		// I - Buffer
{
  return (buf_append(b, data, size * nmemb) ? size * nmemb : 0);
}


//
// 'read_cb()' - ippReadIO callback.
//

static ssize_t				// O - Bytes read
read_cb(buf_t       *b,			// I - Buffer
        ipp_uchar_t *data,		// O - Data
        size_t      len)		// I - Bytes wanted
{
  size_t n = b->len - b->pos;		// Bytes available


  if (n > len)
    n = len;

  memcpy(data, b->data + b->pos, n);
  b->pos += n;

  return ((ssize_t)n);
}


//
// 'write_cb()' - ippWriteIO callback.
//

static ssize_t				// O - Bytes written
write_cb(buf_t       *b,		// I - Buffer
         ipp_uchar_t *data,		// I - Data
         size_t      len)		// I - Length
{
  return (buf_append(b, data, len) ? (ssize_t)len : -1);
}
