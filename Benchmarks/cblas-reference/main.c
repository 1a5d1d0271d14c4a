#include <cblas.h>
#include <stdio.h>
int main(void) { printf("%s\n", openblas_get_corename()); return 0; }
