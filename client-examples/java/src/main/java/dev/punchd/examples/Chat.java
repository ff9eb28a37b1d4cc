package dev.punchd.examples;

public final class Chat { public static void main(String[] a) {} }
