//
// Corpus replayer for libFuzzer-style targets, for builds without clang:
// runs LLVMFuzzerTestOneInput() once per file named on the command line
// (directories are walked one level deep).
//
// Usage: fuzz-xps-replay FILE-OR-DIRECTORY ...
//
// Copyright © 2026 by the cups-upa authors.
// Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
//

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


//
// Local functions...
//

static int	replay_file(const char *path);


//
// 'main()' - Replay every input.
//

int					// O - Exit status
main(int  argc,				// I - Number of command-line arguments
     char *argv[])			// I - Command-line arguments
{
  int		i;			// Looping var
  int		count = 0;		// Inputs replayed
  struct stat	st;			// File information


  if (argc < 2)
  {
    fputs("Usage: fuzz-xps-replay FILE-OR-DIRECTORY ...\n", stderr);
    return (1);
  }

  for (i = 1; i < argc; i ++)
  {
    if (stat(argv[i], &st))
    {
      perror(argv[i]);
      return (1);
    }

    if (S_ISDIR(st.st_mode))
    {
      DIR		*dir;		// Directory
      struct dirent	*ent;		// Entry
      char		path[4096];	// File path

      if ((dir = opendir(argv[i])) == NULL)
      {
        perror(argv[i]);
        return (1);
      }

      while ((ent = readdir(dir)) != NULL)
      {
        if (ent->d_name[0] == '.')
          continue;
        snprintf(path, sizeof(path), "%s/%s", argv[i], ent->d_name);
        if (!stat(path, &st) && S_ISREG(st.st_mode))
        {
          if (replay_file(path))
          {
            closedir(dir);
            return (1);
          }
          count ++;
        }
      }

      closedir(dir);
    }
    else
    {
      if (replay_file(argv[i]))
        return (1);
      count ++;
    }
  }

  printf("replayed %d inputs\n", count);
  return (0);
}


//
// 'replay_file()' - Run the target on one file.
//

static int				// O - 0 on success
replay_file(const char *path)		// I - File
{
  FILE		*fp;			// File
  uint8_t	*data;			// Contents
  long		size;			// Size


  if ((fp = fopen(path, "rb")) == NULL || fseek(fp, 0, SEEK_END) || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET))
  {
    perror(path);
    if (fp)
      fclose(fp);
    return (1);
  }

  if ((data = malloc(size ? (size_t)size : 1)) == NULL || fread(data, 1, (size_t)size, fp) != (size_t)size)
  {
    perror(path);
    free(data);
    fclose(fp);
    return (1);
  }

  fclose(fp);
  fprintf(stderr, "replay: %s (%ld bytes)\n", path, size);
  LLVMFuzzerTestOneInput(data, (size_t)size);
  free(data);

  return (0);
}
