from django.db import migrations


def fill_public_codes(apps, schema_editor):
    """Number the existing products in the order they were created, then start the sequence after."""
    Product = apps.get_model("catalogue", "Product")
    CodeSequence = apps.get_model("catalogue", "CodeSequence")
    products = list(Product.objects.filter(public_code__isnull=True).order_by("pk"))
    sequence, _ = CodeSequence.objects.get_or_create(name="product")
    for number, product in enumerate(products, start=sequence.last_value + 1):
        product.public_code = f"TN-OCOP-{number:04d}"
    Product.objects.bulk_update(products, ["public_code"], batch_size=500)
    sequence.last_value += len(products)
    sequence.save()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0005_product_public_code")]

    operations = [migrations.RunPython(fill_public_codes, migrations.RunPython.noop)]
