/* Debian's libopenblas-dev puts cblas.h under the multiarch include folder. */
#include <cblas.h>
