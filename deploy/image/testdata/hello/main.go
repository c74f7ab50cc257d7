// Command hello is a tiny program for the image build's reproducibility test.
package main

import "os"

func main() { os.Stdout.WriteString("hello\n") }
